package io.tokenpipe.faults;

import io.tokenpipe.testing.AdoptRace;
import io.tokenpipe.testing.FdCount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Four threads adopt one inherited descriptor at the same moment, round after round: each round, one owner. */
@ExtendWith(FdCount.class)
@Timeout(300)
class AdoptRaceIT {
    private static final int ROUNDS = 5_000;
    private static final int THREADS = 4;

    @Test
    void everyRaceHasExactlyOneOwner() throws Exception {
        long refusals = AdoptRace.run(ROUNDS, THREADS);
        Figures.report("adopt of one inherited pipe by " + THREADS + " threads at the same moment (AdoptRaceIT)",
                ROUNDS + " rounds (" + refusals + " adopts refused: already owned, or not inherited any more)",
                "exactly 1 owner in every round; the descriptor closed once");
    }
}
