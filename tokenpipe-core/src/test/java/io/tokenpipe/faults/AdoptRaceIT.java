package io.tokenpipe.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.RawFds;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        long refusals = 0;
        try {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            for (int round = 0; round < ROUNDS; round++) {
                int[] fds = new int[2];
                assertThat(RawFds.pipe(fds)).isZero(); // not close-on-exec, as an inherited pipe is
                List<Future<TokenPipeEnd>> adopters = new ArrayList<>();
                for (int i = 0; i < THREADS; i++) {
                    adopters.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        try {
                            return TokenPipeEnd.adopt(fds[0]);
                        } catch (IllegalArgumentException refused) {
                            return null;
                        }
                    }));
                }
                List<TokenPipeEnd> owners = new ArrayList<>();
                for (Future<TokenPipeEnd> adopter : adopters) {
                    TokenPipeEnd end = adopter.get(20, TimeUnit.SECONDS);
                    if (end != null) {
                        owners.add(end);
                    } else {
                        refusals++;
                    }
                }
                assertThat(owners).as("owners of fd %d in round %d", fds[0], round).hasSize(1);
                owners.get(0).close();
                assertThat(RawFds.isOpen(fds[0])).as("closed once, by its one owner").isFalse();
                RawFds.close(fds[1]);
            }
        } finally {
            pool.shutdownNow();
        }
        Figures.report("adopt of one inherited pipe by " + THREADS + " threads at the same moment (AdoptRaceIT)",
                ROUNDS + " rounds (" + refusals + " adopts refused: already owned, or not inherited any more)",
                "exactly 1 owner in every round; the descriptor closed once");
    }
}
