package io.tokenpipe.faults;

import static io.tokenpipe.TokenPipeEnd.TS_ERR;
import static io.tokenpipe.TokenPipeEnd.TS_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.LogCapture;
import io.tokenpipe.testing.NativeThreads;
import io.tokenpipe.testing.NewestJdk;
import io.tokenpipe.testing.RawFds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The queue of pending signals full: every tgkill of a real-time signal fails with EAGAIN (the user's queue is full,
 * made so here by a soft RLIMIT_SIGPENDING of 0 on a child JVM of this test's JDK and backend, through prlimit), so
 * no timeout, interrupt or close() can reach a blocked token call. close() must still return, leaving close(2) to the
 * waker until the call returns by itself; a timed read's timeout cannot take effect until the call returns by itself
 * or the queue drains; one WARNING per JVM names RLIMIT_SIGPENDING; and once the limit is raised again, the waker's
 * retries reach the blocked calls.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class FullSignalQueueIT {
    private static final String PRLIMIT = "/usr/bin/prlimit";

    @Test
    void withTheSignalQueueFullCloseReturnsAndTheWakerRecoversOnceItDrains() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PRLIMIT)), "no " + PRLIMIT);
        JavaChild.Result result = JavaChild.runUnderShell(PRLIMIT + " --pid $$ --sigpending=0:;", List.of(),
                NewestJdk.ScenarioMain.class, Scenarios.class.getName(), "fullSignalQueue");
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).as(result.toString()).contains("PASS fullSignalQueue");
    }

    /** Run in the child JVM, whose soft RLIMIT_SIGPENDING is 0. */
    public static final class Scenarios {
        private static final long GUARD_SECONDS = 20;

        public static void fullSignalQueue() throws Exception {
            assertThat(RawFds.softSignalLimit()).as("soft RLIMIT_SIGPENDING of the child").isZero();
            try (LogCapture log = LogCapture.start()) {
                int baseline = FdCount.openFdCount();
                closeReturnsAndTheDescriptorIsClosedOnceTheReadReturns(log, baseline);
                aTimedReadReturnsWhatItsSystemCallGets(baseline);
                assertThat(log.warnings()).as("warnings").hasSize(1);
                theWakerReachesTheCallsOnceTheQueueDrains(baseline);
                assertThat(log.warnings()).as("warnings, once per JVM").hasSize(1);
                assertThat(log.warnings().get(0)).contains("RLIMIT_SIGPENDING of this process: 0")
                        .contains("the queue of pending signals is full").contains("SigQ");
            }
        }

        /** close() returns; close(2) waits for the read, which a token ends. */
        private static void closeReturnsAndTheDescriptorIsClosedOnceTheReadReturns(LogCapture log, int baseline)
                throws Exception {
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
                TokenPipeEnd reader = pipe.takeReadEnd();
                CompletableFuture<Integer> read = Reader.start(reader, null);
                CompletableFuture.runAsync(reader::close).get(GUARD_SECONDS, TimeUnit.SECONDS);
                assertThat(reader.isOpen()).isFalse();
                assertThat(read).as("the read no signal can reach").isNotDone();
                assertThat(FdCount.openFdCount()).as("descriptors: close(2) deferred").isEqualTo(baseline + 2);
                assertThat(log.warnings()).as("warnings").hasSize(1);
                assertThat(writer.tokenWrite(7)).isZero();
                assertThat(read.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(7);
                awaitFdCount(baseline + 1); // the waker called close(2) once the read had returned
            }
            awaitFdCount(baseline);
        }

        /**
         * A timed read's timeout cannot take effect while no signal can be sent: its read(2) returns only with a token
         * (or end of stream), past the deadline, and the read returns that token.
         */
        private static void aTimedReadReturnsWhatItsSystemCallGets(int baseline) throws Exception {
            try (TokenPipe pipe = TokenPipe.make().orElseThrow()) {
                TokenPipeEnd reader = pipe.takeReadEnd();
                TokenPipeEnd writer = pipe.takeWriteEnd();
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(10);
                CompletableFuture<Integer> read = Reader.start(reader, Duration.ofMillis(10));
                while (System.nanoTime() - deadline < TimeUnit.MILLISECONDS.toNanos(100)) {
                    Thread.sleep(10); // the waker tries every millisecond after the deadline, and fails
                }
                assertThat(read).as("a timed read past its deadline, which no signal can reach").isNotDone();
                assertThat(writer.tokenWrite(9)).isZero();
                assertThat(read.get(GUARD_SECONDS, TimeUnit.SECONDS)).as("the token its read(2) got").isEqualTo(9);
                reader.close();
                writer.close();
            }
            awaitFdCount(baseline);
        }

        /** Both kinds of blocked call at once; then the limit goes back up, and the waker's next try reaches them. */
        private static void theWakerReachesTheCallsOnceTheQueueDrains(int baseline) throws Exception {
            try (TokenPipe closed = TokenPipe.make().orElseThrow(); TokenPipe timed = TokenPipe.make().orElseThrow();
                 TokenPipeEnd closedWriter = closed.takeWriteEnd(); TokenPipeEnd timedWriter = timed.takeWriteEnd();
                 TokenPipeEnd timedReader = timed.takeReadEnd()) {
                TokenPipeEnd closedReader = closed.takeReadEnd();
                CompletableFuture<Integer> closedRead = Reader.start(closedReader, null);
                CompletableFuture<Integer> timedRead = Reader.start(timedReader, Duration.ofMillis(10));
                CompletableFuture.runAsync(closedReader::close).get(GUARD_SECONDS, TimeUnit.SECONDS);
                assertThat(closedRead).isNotDone();
                RawFds.setSoftSignalLimit(RawFds.hardSignalLimit());
                assertThat(closedRead.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(TS_ERR);
                assertThat(closedReader.lastErrno()).isEqualTo(Errno.EBADF);
                assertThat(timedRead.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(TS_TIMEOUT);
                awaitFdCount(baseline + 3); // the waker closed the read end once its read had returned
            }
            awaitFdCount(baseline);
        }

        /** Waits, with a hang guard, until the descriptor count is {@code expected}. */
        private static void awaitFdCount(int expected) throws InterruptedException {
            long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (FdCount.openFdCount() != expected) {
                assertThat(System.nanoTime() - guard).as("hang guard: descriptors %d, expected %d",
                        FdCount.openFdCount(), expected).isNegative();
                Thread.sleep(1);
            }
        }
    }

    /** A reader thread blocked in its token read; returns once it sleeps in read(2). */
    private static final class Reader {
        static CompletableFuture<Integer> start(TokenPipeEnd end, Duration timeout) throws Exception {
            CompletableFuture<Long> started = new CompletableFuture<>();
            CompletableFuture<Integer> result = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    started.complete(ThreadContext.current().threadId());
                    result.complete(timeout == null ? end.tokenRead() : end.tokenRead(timeout));
                } catch (Throwable e) {
                    started.completeExceptionally(e);
                    result.completeExceptionally(e);
                }
            }, "reader");
            thread.setDaemon(true);
            thread.start();
            NativeThreads.awaitBlockedOnPipe(started.get(Scenarios.GUARD_SECONDS, TimeUnit.SECONDS));
            return result;
        }
    }
}
