package io.tokenpipe;

import static io.tokenpipe.TokenPipeEnd.TS_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.NewestJdk;
import io.tokenpipe.testing.SignalMasks;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code -Dtokenpipe.maskCheck=everyCall}: a thread that blocks the wake-up signal only after its first call is
 * served in every call, also the first one after it blocked it (by default that one cannot be woken). The property
 * is read once per JVM, so each case runs in a child JVM: on this JDK and on the newest.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class MaskCheckEveryCallTest {
    private static final List<String> EVERY_CALL = List.of("-Dtokenpipe.maskCheck=everyCall");

    @Test
    void aThreadBlockingTheSignalAfterItsFirstCallIsServedAtOnce() throws Exception {
        JavaChild.Result result = JavaChild.run(JavaChild.command(EVERY_CALL, NewestJdk.ScenarioMain.class,
                Scenarios.class.getName(), "aThreadBlockingTheSignalAfterItsFirstCallIsServedAtOnce"));
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).as(result.toString()).contains("PASS");
    }

    @Test
    void onTheNewestJdk() throws Exception {
        NewestJdk.runScenarios(EVERY_CALL, Scenarios.class, "aThreadBlockingTheSignalAfterItsFirstCallIsServedAtOnce");
    }

    @Test
    void aBadValueMakesNoPipeAndNamesTheProperty() throws Exception {
        JavaChild.Result result = JavaChild.run(JavaChild.command(List.of("-Dtokenpipe.maskCheck=sometimes"),
                BadValueMain.class));
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).as(result.toString()).contains("PASS");
    }

    /** Run in the child JVMs. */
    public static final class Scenarios {
        public static void aThreadBlockingTheSignalAfterItsFirstCallIsServedAtOnce() throws Exception {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
                    assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(TS_TIMEOUT); // its mask is read here
                    SignalMasks.blockWakeSignal(); // ... and changed only now
                    BlockedWakeSignalTest.Scenarios.everyWaitIsServed(); // timeout, interrupt, close: each at once
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                } finally {
                    SignalMasks.unblockWakeSignal();
                }
            }, "blocks-after-first-call");
            thread.setDaemon(true);
            thread.start();
            done.get(60, TimeUnit.SECONDS);
        }

    }

    /** Run in a child JVM with a bad value (not through ScenarioMain, which makes a pipe first). */
    public static final class BadValueMain {
        public static void main(String[] args) {
            assertThat(TokenPipe.make()).isEmpty();
            assertThat(TokenPipe.lastMakeFailure()).get().asString().contains("tokenpipe.maskCheck=sometimes")
                    .contains("firstCall").contains("everyCall");
            System.out.println("PASS");
        }
    }
}
