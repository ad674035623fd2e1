package io.tokenpipe;

import static io.tokenpipe.TokenPipeEnd.TS_EOS;
import static io.tokenpipe.TokenPipeEnd.TS_ERR;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.testing.CpuTime;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.LogCapture;
import io.tokenpipe.testing.NewestJdk;
import io.tokenpipe.testing.SignalMasks;
import io.tokenpipe.testing.StuckReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * close(), a second close() waiting for the first, and the hand-off to a child, called from a thread that is
 * interrupted: they must use little CPU however long they wait, not flood the threads inside with signals, and
 * leave the caller's interrupt status exactly as it was.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class CloseFromInterruptedThreadTest {

    @Test
    void closeKeepsTheCallersInterruptStatusEitherWay() throws Exception {
        Scenarios.closeKeepsTheCallersInterruptStatusEitherWay();
    }

    @Test
    void interruptedClosersWaitingForAThreadThatCannotBeWokenUseLittleCpu() throws Exception {
        Scenarios.interruptedClosersWaitingForAThreadThatCannotBeWokenUseLittleCpu();
    }

    @Test
    void anInterruptedHandOffOfAnEndInUseReturnsAndKeepsTheStatus() throws Exception {
        Scenarios.anInterruptedHandOffOfAnEndInUseReturnsAndKeepsTheStatus();
    }

    @Test
    void onTheNewestJdk() throws Exception {
        NewestJdk.runScenarios(List.of(), Scenarios.class, "closeKeepsTheCallersInterruptStatusEitherWay",
                "interruptedClosersWaitingForAThreadThatCannotBeWokenUseLittleCpu",
                "anInterruptedHandOffOfAnEndInUseReturnsAndKeepsTheStatus");
    }

    /** The scenarios, run here on Java 17 and by {@link #onTheNewestJdk} in a child JVM. */
    public static final class Scenarios {
        private static final long GUARD_SECONDS = 20;
        private static final long MAX_CPU_MS = 300;
        /** Signals a closer may send to a thread that blocks them before it gives up on waking it. */
        private static final long MAX_QUEUED_SIGNALS = 500;

        public static void closeKeepsTheCallersInterruptStatusEitherWay() throws Exception {
            for (boolean interrupted : new boolean[] {true, false}) {
                try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
                    TokenPipeEnd reader = pipe.takeReadEnd();
                    BlockedRead blocked = BlockedRead.start(reader, "blocked-reader");
                    boolean after = onNewThread(() -> {
                        if (interrupted) {
                            Thread.currentThread().interrupt();
                        }
                        reader.close();
                        return Thread.currentThread().isInterrupted();
                    });
                    assertThat(after).as("interrupt status after close(), set before: %s", interrupted)
                            .isEqualTo(interrupted);
                    assertThat(blocked.result()).containsExactly(TS_ERR, Errno.EBADF);
                }
            }
        }

        public static void interruptedClosersWaitingForAThreadThatCannotBeWokenUseLittleCpu() throws Exception {
            try (LogCapture log = LogCapture.start();
                 TokenPipe pipe = TokenPipe.make().orElseThrow();
                 TokenPipeEnd writer = pipe.takeWriteEnd()) {
                TokenPipeEnd reader = pipe.takeReadEnd();
                StuckReader stuck = StuckReader.start(reader, "stuck-reader");
                long queuedBefore = SignalMasks.queuedSignals();
                CompletableFuture<long[]> first = closeOnInterruptedThread(reader);
                CompletableFuture<long[]> second = closeOnInterruptedThread(reader);
                for (CompletableFuture<long[]> closer : List.of(first, second)) {
                    long[] cpuAndStatus = closer.get(GUARD_SECONDS, TimeUnit.SECONDS);
                    assertThat(cpuAndStatus[0]).as("ms of CPU an interrupted close() used").isLessThan(MAX_CPU_MS);
                    assertThat(cpuAndStatus[1]).as("still interrupted after close()").isOne();
                }
                assertThat(SignalMasks.queuedSignals() - queuedBefore).as("wake-up signals queued at the stuck thread")
                        .isLessThan(MAX_QUEUED_SIGNALS);
                assertThat(stuck.result).isNotDone();
                writer.close();
                assertThat(stuck.result.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(TS_EOS);
                assertThat(log.warnings()).isNotEmpty();
            }
        }

        public static void anInterruptedHandOffOfAnEndInUseReturnsAndKeepsTheStatus() throws Exception {
            try (LogCapture log = LogCapture.start(); TokenPipe pipe = TokenPipe.make().orElseThrow()) {
                TokenPipeEnd reader = pipe.takeReadEnd();
                TokenPipeEnd writer = pipe.takeWriteEnd();
                StuckReader stuck = StuckReader.start(reader, "stuck-reader-handed-off");
                long[] cpuAndStatus = onNewThread(() -> {
                    Thread.currentThread().interrupt();
                    long cpu = CpuTime.ofCurrentThread();
                    try (ChildProcess child = ChildProcess.builder("true").passEnd(reader, 3).start()) {
                        child.waitFor(Duration.ofSeconds(GUARD_SECONDS)); // returns at once: interrupted
                    } catch (InterruptedException expected) {
                        Thread.currentThread().interrupt();
                    }
                    return new long[] {(CpuTime.ofCurrentThread() - cpu) / 1_000_000,
                        Thread.currentThread().isInterrupted() ? 1 : 0};
                });
                assertThat(cpuAndStatus[0]).as("ms of CPU the hand-off used").isLessThan(MAX_CPU_MS);
                assertThat(cpuAndStatus[1]).as("still interrupted after the hand-off").isOne();
                writer.close();
                assertThat(stuck.result.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(TS_EOS);
            }
        }

        private static CompletableFuture<long[]> closeOnInterruptedThread(TokenPipeEnd end) {
            CompletableFuture<long[]> result = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                Thread.currentThread().interrupt();
                long cpu = CpuTime.ofCurrentThread();
                end.close();
                result.complete(new long[] {(CpuTime.ofCurrentThread() - cpu) / 1_000_000,
                    Thread.currentThread().isInterrupted() ? 1 : 0});
            }, "interrupted-closer");
            thread.setDaemon(true);
            thread.start();
            return result;
        }

        interface Body<T> {
            T run() throws Exception;
        }

        /** Runs {@code body} on a fresh daemon thread (so that its interrupt status starts clear) with a hang guard. */
        private static <T> T onNewThread(Body<T> body) throws Exception {
            CompletableFuture<T> result = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    result.complete(body.run());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
            thread.setDaemon(true);
            thread.start();
            return result.get(GUARD_SECONDS, TimeUnit.SECONDS);
        }
    }
}
