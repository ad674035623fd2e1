package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.LogCapture;
import io.tokenpipe.testing.NativeThreads;
import io.tokenpipe.testing.SignalMasks;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The wake-up signal is a real-time signal: each instance sent to a thread that blocks it stays queued there, counted
 * against its user's RLIMIT_SIGPENDING, which all of that user's processes share (once it is full, no timeout,
 * interrupt or close() in any of them reaches a blocked call). The rule: after the first signal of a call, a closer
 * or the waker signals that thread again only once the last signal is no longer pending there (and a first signal
 * looks too while the thread has not failed a system call since the last one). So a thread that blocks the signal
 * throughout its call holds exactly one instance, however long and by whom it is signalled: the thread itself counts
 * them (sigtimedwait) when its call has ended, before it unblocks the signal.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class WakeSignalQueueTest {
    private static final long GUARD_SECONDS = 20;

    @Test
    void closeLeavesOneWakeUpSignalQueuedAtAThreadThatBlocksIt() throws Exception {
        try (LogCapture log = LogCapture.start();
             TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            TokenPipeEnd reader = pipe.takeReadEnd();
            MaskedReader masked = MaskedReader.start(reader, null, "masked-reader-closed");
            closeWithinGuard(reader); // returns once the closer found the thread unable to be woken
            assertThat(masked.result).as("the read, which nothing can wake").isNotDone();
            assertThat(writer.tokenWrite(42)).isZero();
            assertThat(masked.token()).isEqualTo(42);
            assertThat(masked.queued()).as("wake-up signals queued at the reader by close()").isEqualTo(1);
            assertThat(log.warnings()).anyMatch(w -> w.contains("masked-reader-closed"));
        }
    }

    @Test
    void aTimedReadLeavesOneWakeUpSignalQueuedAtAThreadThatBlocksIt() throws Exception {
        try (LogCapture log = LogCapture.start(); TokenPipe pipe = TokenPipe.make().orElseThrow()) {
            TokenPipeEnd reader = pipe.takeReadEnd();
            TokenPipeEnd writer = pipe.takeWriteEnd();
            MaskedReader masked = MaskedReader.start(reader, Duration.ofMillis(1), "masked-reader-timed");
            awaitWarningAbout(log, "masked-reader-timed"); // the waker signalled it until it found it out
            assertThat(masked.result).as("the read, which nothing can wake").isNotDone();
            assertThat(writer.tokenWrite(43)).isZero();
            assertThat(masked.token()).as("the token its read(2) got, past the deadline").isEqualTo(43);
            assertThat(masked.queued()).as("wake-up signals queued at the reader by the waker").isEqualTo(1);
            reader.close();
            writer.close();
        }
    }

    @Test
    void aTimedReadClosedWhileTheWakerSignalsItLeavesOneWakeUpSignalQueued() throws Exception {
        try (LogCapture log = LogCapture.start();
             TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            TokenPipeEnd reader = pipe.takeReadEnd();
            MaskedReader masked = MaskedReader.start(reader, Duration.ofMillis(1), "masked-reader-both");
            awaitPending(masked.tid); // the waker has signalled it: its deadline passed
            closeWithinGuard(reader);
            assertThat(masked.result).as("the read, which nothing can wake").isNotDone();
            assertThat(writer.tokenWrite(44)).isZero();
            assertThat(masked.token()).isEqualTo(44);
            assertThat(masked.queued()).as("wake-up signals queued at the reader by the waker and close()")
                    .isEqualTo(1);
        }
    }

    /**
     * Calls that each end by themselves (a token) after the waker signalled them, on a thread that blocks the signal,
     * and that are over before it could be found out: the first signal of each later call looks first, since no
     * system call of the thread failed after the last one, which is still queued there.
     */
    @Test
    void callsThatEachEndByThemselvesLeaveOneWakeUpSignalQueued() throws Exception {
        int calls = 10;
        try (LogCapture log = LogCapture.start(); TokenPipe pipe = TokenPipe.make().orElseThrow()) {
            TokenPipeEnd reader = pipe.takeReadEnd();
            TokenPipeEnd writer = pipe.takeWriteEnd();
            CompletableFuture<Long> started = new CompletableFuture<>();
            CompletableFuture<Integer> queued = new CompletableFuture<>();
            Semaphore reading = new Semaphore(0); // released as each read starts
            Thread thread = new Thread(() -> {
                try {
                    started.complete(ThreadContext.current().threadId());
                    reader.tokenRead(Duration.ZERO);
                    SignalMasks.blockWakeSignal();
                    try {
                        for (int i = 0; i < calls; i++) {
                            reading.release();
                            int token;
                            do { // times out only once the thread was found out: its calls are wakeable from then on
                                token = reader.tokenRead(Duration.ofMillis(1));
                            } while (token == TokenPipeEnd.TS_TIMEOUT);
                            assertThat(token).isEqualTo(i);
                        }
                        queued.complete(SignalMasks.drainWakeSignals());
                    } finally {
                        SignalMasks.unblockWakeSignal();
                    }
                } catch (Throwable e) {
                    started.completeExceptionally(e);
                    queued.completeExceptionally(e);
                }
            }, "masked-reader-calls");
            thread.setDaemon(true);
            thread.start();
            long tid = started.get(GUARD_SECONDS, TimeUnit.SECONDS);
            for (int i = 0; i < calls; i++) {
                assertThat(reading.tryAcquire(GUARD_SECONDS, TimeUnit.SECONDS)).as("read %d started", i).isTrue();
                NativeThreads.awaitBlockedOnPipe(tid);
                if (i == 0) {
                    awaitPending(tid);
                } else {
                    Thread.sleep(3); // its deadline passes and the waker ticks: pacing, not a bound
                }
                assertThat(writer.tokenWrite(i)).isZero();
            }
            // One, or none if the thread was found out meanwhile (its next call then took the one queued).
            assertThat(queued.get(GUARD_SECONDS, TimeUnit.SECONDS)).as("wake-up signals queued after %d calls", calls)
                    .isLessThanOrEqualTo(1);
            reader.close();
            writer.close();
        }
    }

    /**
     * A reader that makes one call (so that its mask is read while it accepts the signal), then blocks the signal
     * and reads; when that read has returned, it takes the wake-up signals queued at it, then unblocks the signal.
     */
    private static final class MaskedReader {
        final long tid;
        /** {the read's result, the instances of the wake-up signal that were queued at the thread}. */
        final CompletableFuture<int[]> result;

        private MaskedReader(long tid, CompletableFuture<int[]> result) {
            this.tid = tid;
            this.result = result;
        }

        static MaskedReader start(TokenPipeEnd end, Duration timeout, String name) throws Exception {
            CompletableFuture<Long> started = new CompletableFuture<>();
            CompletableFuture<int[]> result = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                boolean blocked = false;
                try {
                    long tid = ThreadContext.current().threadId();
                    end.tokenRead(Duration.ZERO); // the first call: the mask is read now, with the signal unblocked
                    SignalMasks.blockWakeSignal();
                    blocked = true;
                    started.complete(tid);
                    int token = timeout == null ? end.tokenRead() : end.tokenRead(timeout);
                    result.complete(new int[] {token, SignalMasks.drainWakeSignals()});
                } catch (Throwable e) {
                    started.completeExceptionally(e);
                    result.completeExceptionally(e);
                } finally {
                    if (blocked) {
                        SignalMasks.unblockWakeSignal();
                    }
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
            long tid = started.get(GUARD_SECONDS, TimeUnit.SECONDS);
            NativeThreads.awaitBlockedOnPipe(tid);
            return new MaskedReader(tid, result);
        }

        int token() throws Exception {
            return result.get(GUARD_SECONDS, TimeUnit.SECONDS)[0];
        }

        int queued() throws Exception {
            return result.get(GUARD_SECONDS, TimeUnit.SECONDS)[1];
        }
    }

    private static void closeWithinGuard(TokenPipeEnd end) throws Exception {
        CompletableFuture.runAsync(end::close).get(GUARD_SECONDS, TimeUnit.SECONDS);
    }

    private static void awaitWarningAbout(LogCapture log, String threadName) throws InterruptedException {
        long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (log.warnings().stream().noneMatch(w -> w.contains(threadName))) {
            assertThat(System.nanoTime() - guard).as("hang guard: no warning about %s", threadName).isNegative();
            Thread.sleep(1);
        }
    }

    private static void awaitPending(long tid) throws InterruptedException {
        long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (!SignalMasks.wakeSignalPending(tid)) {
            assertThat(System.nanoTime() - guard).as("hang guard: never signalled").isNegative();
            Thread.onSpinWait();
        }
    }
}
