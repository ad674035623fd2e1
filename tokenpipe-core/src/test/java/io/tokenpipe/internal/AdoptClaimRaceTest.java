package io.tokenpipe.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.LogCapture;
import io.tokenpipe.testing.RawFds;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code adopt(n)} claims n in the registry before it checks the descriptor; when n is not open, a
 * {@code make()} on another thread can be given n by the kernel in between. The new pipe owns n, and the adopt
 * fails its checks and lets the claim go. Nothing was closed behind anybody's back, so nothing may be logged:
 * it used to log a WARNING saying that code outside tokenpipe had closed fd n. Played here step by step at that
 * exact interleaving: the claim, the make(), then the failed check.
 */
@ExtendWith(FdCount.class)
@Timeout(60)
class AdoptClaimRaceTest {

    @Test
    void aPipeGivenANumberBeingAdoptedLogsNothingAndKeepsIt() {
        try (LogCapture log = LogCapture.start()) {
            List<TokenPipe> pipes = new ArrayList<>();
            FdHandle adopting = null;
            FdHandle newOwner = null;
            try {
                for (int attempt = 0; attempt < 10 && adopting == null; attempt++) {
                    int number = lowestFreeNumber(); // what the kernel gives the next pipe
                    FdHandle claim = FdHandle.ofAdopted(number, new Object(), null);
                    TokenPipe pipe = TokenPipe.make().orElseThrow();
                    pipes.add(pipe);
                    if (FdRegistry.owner(number) != claim) {
                        adopting = claim; // the new pipe got the number and took it over
                        newOwner = FdRegistry.owner(number);
                    } else {
                        claim.abandonClaim(); // another thread took the number meanwhile: try again
                    }
                }
                assertThat(adopting).as("a new pipe got the number being adopted").isNotNull();
                assertThat(adopting.isOpen()).as("the adopting handle never owned the new descriptor").isFalse();
                FdHandle gaveWay = adopting;
                assertThatThrownBy(gaveWay::confirmAdoption).as("its adopt cannot succeed any more")
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("was not open while it was being adopted");
                adopting.abandonClaim(); // what adopt() does when its check then fails
                TokenPipe pipe = pipes.get(pipes.size() - 1);
                try (TokenPipeEnd reader = pipe.takeReadEnd(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
                    assertThat(newOwner.isOpen()).isTrue();
                    assertThat(FdRegistry.owner(newOwner.fd())).as("the new pipe still owns its number")
                            .isSameAs(newOwner);
                    assertThat(writer.tokenWrite(9)).isZero();
                    assertThat(reader.tokenRead()).isEqualTo(9);
                }
            } finally {
                pipes.forEach(TokenPipe::close);
            }
            assertThat(log.warnings()).as("nothing was closed behind anybody's back").isEmpty();
        }
    }

    /** A number the kernel has just freed, the lowest free one unless another thread opened something since. */
    private static int lowestFreeNumber() {
        int number = RawFds.dup(0);
        assertThat(number).as("dup(0)").isNotNegative();
        assertThat(RawFds.close(number)).isZero();
        return number;
    }
}
