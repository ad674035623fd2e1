package io.tokenpipe.internal;

import static io.tokenpipe.TokenPipeEnd.TS_ERR;
import static io.tokenpipe.TokenPipeEnd.TS_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.LogCapture;
import io.tokenpipe.testing.MaskingHandler;
import io.tokenpipe.testing.NativeThreads;
import io.tokenpipe.testing.RawFds;
import io.tokenpipe.testing.SignalMasks;
import io.tokenpipe.testing.StuckReader;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The diagnosis of a thread that did not leave a call it was woken from ({@link ThreadContext#cannotBeWoken}) must
 * not be fooled by a signal mask that shows the wake-up signal for a moment: the kernel blocks the signal while its
 * own handler runs, HotSpot blocks all signals in its handlers, glibc blocks all of them around a posix_spawn or a
 * pthread_create. A thread seen in such a moment is still wakeable; declaring it unwakeable stopped every further
 * wake-up of its call, so a timed read waited for data or end of stream instead of timing out. Only a thread asleep
 * in its token system call with the signal blocked cannot be woken. And a mark, should it ever be wrong, must not
 * turn into a stall: such a thread is still signalled, at a low rate, whenever the signal is not already pending.
 */
@ExtendWith(FdCount.class)
@Timeout(60)
class WakeUpDiagnosisTest {
    private static final long GUARD_SECONDS = 10;
    /** What the waker and closers pass: the thread was signalled this long ago and has not left. */
    private static final long SIGNALLED_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

    @Test
    void aThreadBlockingTheSignalWhileItRunsJavaCodeCanBeWoken() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            MaskedThread masked = MaskedThread.start(() -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
                while (!Thread.currentThread().isInterrupted() && System.nanoTime() < until) {
                    Thread.onSpinWait(); // as a thread inside a signal handler, or in glibc's masked window
                }
            });
            try {
                assertThat(SignalMasks.blocksWakeSignal(masked.context.threadId())).as("its mask shows it").isTrue();
                assertThat(masked.context.cannotBeWoken("test", SIGNALLED_NANOS)).as("declared unwakeable").isFalse();
                assertThat(masked.context.stuckInThisCall()).as("marked").isFalse();
                assertThat(log.warnings()).isEmpty();
            } finally {
                masked.finish();
            }
        }
    }

    @Test
    void aThreadBlockingTheSignalWhileItSleepsOutsideATokenCallCanBeWoken() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            MaskedThread masked = MaskedThread.start(() -> {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
                while (!Thread.currentThread().isInterrupted() && System.nanoTime() < until) {
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1)); // asleep, but in a futex, not a read
                }
            });
            try {
                awaitAsleep(masked.context.threadId());
                assertThat(masked.context.cannotBeWoken("test", SIGNALLED_NANOS)).as("declared unwakeable").isFalse();
                assertThat(log.warnings()).isEmpty();
            } finally {
                masked.finish();
            }
        }
    }

    /**
     * The same with a real signal handler that runs with every signal blocked (as HotSpot's do), hitting a thread
     * asleep in its token read: whenever the diagnosis looks, the mask it reads is most likely the handler's, but
     * the thread is in the handler's nanosleep, not in read(2), and is never declared unwakeable.
     */
    @Test
    void aThreadInsideASignalHandlerThatBlocksEverySignalCanBeWoken() throws Exception {
        try (LogCapture log = LogCapture.start(); MaskingHandler handler = MaskingHandler.install(3);
             TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
            CompletableFuture<ThreadContext> context = new CompletableFuture<>();
            CompletableFuture<Integer> result = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                // Its first call: the signal is deliverable, as for any thread. Only then is it looked at, so that
                // the read it is found asleep in is the one that gets the token.
                reader.tokenRead(Duration.ZERO);
                context.complete(ThreadContext.current());
                result.complete(reader.tokenRead());
            }, "in-masking-handler");
            thread.setDaemon(true);
            thread.start();
            ThreadContext reading = context.get(GUARD_SECONDS, TimeUnit.SECONDS);
            NativeThreads.awaitBlockedOnPipe(reading.threadId());
            AtomicBoolean storming = new AtomicBoolean(true);
            Thread storm = new Thread(() -> {
                long gap = TimeUnit.MICROSECONDS.toNanos(handler.micros() + 10); // about one at a time queued
                while (storming.get()) {
                    handler.send(reading.threadId());
                    for (long next = System.nanoTime() + gap; System.nanoTime() < next; ) {
                        Thread.onSpinWait();
                    }
                }
            }, "masking-storm");
            storm.setDaemon(true);
            storm.start();
            int maskSeen = 0;
            try {
                for (int look = 0; look < 300; look++) {
                    if (SignalMasks.blocksWakeSignal(reading.threadId())) {
                        maskSeen++;
                    }
                    assertThat(reading.cannotBeWoken("test", SIGNALLED_NANOS)).as("declared unwakeable at look %d",
                            look).isFalse();
                }
            } finally {
                storming.set(false);
                storm.join();
            }
            assertThat(maskSeen).as("looks that saw the handler's mask (else this test proves nothing)").isPositive();
            assertThat(writer.tokenWrite(7)).isZero();
            assertThat(result.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(7);
            thread.join();
            assertThat(log.warnings()).isEmpty();
        }
    }

    /** The case the diagnosis exists for is still found: asleep in read(2) with the signal blocked. */
    @Test
    void aThreadAsleepInItsTokenReadWithTheSignalBlockedCannotBeWoken() throws Exception {
        try (LogCapture log = LogCapture.start(); TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
            StuckReader stuck = StuckReader.start(reader, "stuck-in-read"); // 20 ms asleep, as the waker looks
            assertThat(stuck.context.cannotBeWoken("test", SIGNALLED_NANOS)).as("declared unwakeable").isTrue();
            assertThat(stuck.context.stuckInThisCall()).isTrue();
            assertThat(log.warnings()).singleElement().asString().contains("stuck-in-read")
                    .contains("blocks the wake-up signal");
            assertThat(writer.tokenWrite(5)).isZero();
            assertThat(stuck.result.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(5);
            stuck.thread.join();
        }
    }

    @Test
    void aWronglyMarkedTimedReadStillTimesOut() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
            CompletableFuture<ThreadContext> context = new CompletableFuture<>();
            CompletableFuture<Integer> result = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                context.complete(ThreadContext.current());
                result.complete(reader.tokenRead(Duration.ofMillis(300)));
            }, "wrongly-marked-timed");
            thread.setDaemon(true);
            thread.start();
            ThreadContext marked = context.get(GUARD_SECONDS, TimeUnit.SECONDS);
            NativeThreads.awaitBlockedOnPipe(marked.threadId());
            markAsIfMisdiagnosed(marked);
            assertThat(resultOrRescue(result, writer)).as("the timed read's result").isEqualTo(TS_TIMEOUT);
            thread.join();
        }
    }

    /** The same for close() from another thread: it must still end the read (EBADF) and close the descriptor. */
    @Test
    void aWronglyMarkedReadIsStillEndedByClose() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
            TokenPipeEnd reader = pipe.takeReadEnd();
            CompletableFuture<ThreadContext> context = new CompletableFuture<>();
            CompletableFuture<Integer> result = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                context.complete(ThreadContext.current());
                result.complete(reader.tokenRead());
            }, "wrongly-marked-close");
            thread.setDaemon(true);
            thread.start();
            ThreadContext marked = context.get(GUARD_SECONDS, TimeUnit.SECONDS);
            NativeThreads.awaitBlockedOnPipe(marked.threadId());
            int fd = fdReadBy(marked.threadId());
            String before = RawFds.target("self", fd);
            markAsIfMisdiagnosed(marked);
            CompletableFuture.runAsync(reader::close).get(GUARD_SECONDS, TimeUnit.SECONDS);
            assertThat(resultOrRescue(result, writer)).as("the read's result").isEqualTo(TS_ERR);
            assertThat(reader.lastErrno()).isEqualTo(Errno.EBADF);
            thread.join();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
            while (before.equals(RawFds.target("self", fd)) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(RawFds.target("self", fd)).as("fd %d closed", fd).isNotEqualTo(before);
        }
    }

    /**
     * A finding about call N written only after the thread started call N+1 (the diagnosis takes a few reads of
     * /proc, and the thread may get its token meanwhile) leaves the mark of call N while call N+1 sleeps with the
     * signal blocked and does not unblock it. close() must still find call N+1 out and return.
     */
    @Test
    void aMarkLeftFromThePreviousCallDoesNotHangClose() throws Exception {
        try (LogCapture log = LogCapture.start(); TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            TokenPipeEnd reader = pipe.takeReadEnd();
            StuckReader stuck = StuckReader.start(reader, "late-mark");
            stuck.context.stuckCall = stuck.context.calls - 1; // what a late finding about the call before leaves
            stuck.context.signalMode = ThreadContext.SIGNAL_BLOCKED_IN_CALL;
            CompletableFuture<Void> close = CompletableFuture.runAsync(reader::close);
            boolean returned = returnsWithin(close);
            assertThat(writer.tokenWrite(7)).isZero(); // ends the read either way, so a failing test ends too
            close.get(GUARD_SECONDS, TimeUnit.SECONDS);
            assertThat(returned).as("close() returned while the read was still stuck").isTrue();
            assertThat(stuck.result.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(7);
            stuck.thread.join();
            assertThat(log.warnings()).singleElement().asString().contains("late-mark");
        }
    }

    @Test
    void aThreadWhoseNameIsCutInsideACharacterIsStillDiagnosed() throws Exception {
        try (LogCapture log = LogCapture.start(); TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
            String name = "\u8bfb\u53d6\u7ebf\u7a0b-\u5de5\u4f5c\u8005"; // 3 bytes a character: cut at 15 bytes
            StuckReader stuck = StuckReader.start(reader, name);
            assertThat(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/task/" + stuck.tid
                    + "/comm"))).as("the kernel's copy of the name, cut inside a character").hasSize(16);
            assertThat(stuck.context.cannotBeWoken("test", SIGNALLED_NANOS)).as("declared unwakeable").isTrue();
            assertThat(writer.tokenWrite(5)).isZero();
            assertThat(stuck.result.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(5);
            stuck.thread.join();
            assertThat(log.warnings()).hasSize(1);
        }
    }

    private static boolean returnsWithin(CompletableFuture<Void> call) throws Exception {
        try {
            call.get(GUARD_SECONDS, TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException hung) {
            return false;
        }
    }

    /** What {@link ThreadContext#cannotBeWoken} records when it declares a thread unwakeable in its current call. */
    private static void markAsIfMisdiagnosed(ThreadContext context) {
        context.stuckCall = context.calls;
        context.signalMode = ThreadContext.SIGNAL_BLOCKED_IN_CALL;
    }

    /**
     * The read's result; if it has not come within the hang guard, a token is written to end it (so a failing test
     * ends too), and that token is the result.
     */
    private static int resultOrRescue(CompletableFuture<Integer> result, TokenPipeEnd writer) throws Exception {
        try {
            return result.get(GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException stalled) {
            writer.tokenWrite(99);
            return result.get(GUARD_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** The descriptor thread {@code tid} is asleep in read(2) on: the first argument in /proc's syscall file. */
    private static int fdReadBy(long tid) throws Exception {
        String[] call = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/task/" + tid + "/syscall"))
                .trim().split(" ");
        assertThat(call[0]).as("read(2) on x86-64").isEqualTo("0");
        return Integer.decode(call[1]);
    }

    private static void awaitAsleep(long tid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (!java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/task/" + tid + "/stat"))
                .replaceFirst("^.*\\) ", "").startsWith("S")) {
            assertThat(System.nanoTime()).as("thread %d never slept", tid).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    /** A thread that made its first token call with the signal deliverable, then blocked it and runs {@code body}. */
    private static final class MaskedThread {
        final Thread thread;
        final ThreadContext context;
        final CompletableFuture<Void> done;

        private MaskedThread(Thread thread, ThreadContext context, CompletableFuture<Void> done) {
            this.thread = thread;
            this.context = context;
            this.done = done;
        }

        static MaskedThread start(Runnable body) throws Exception {
            CompletableFuture<ThreadContext> context = new CompletableFuture<>();
            CompletableFuture<Void> done = new CompletableFuture<>();
            CountDownLatch masked = new CountDownLatch(1);
            Thread thread = new Thread(() -> {
                try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
                    reader.tokenRead(Duration.ZERO); // its first call: the signal is deliverable
                    context.complete(ThreadContext.current());
                    SignalMasks.blockWakeSignal();
                    masked.countDown();
                    body.run();
                } catch (Throwable e) {
                    context.completeExceptionally(e);
                    done.completeExceptionally(e);
                } finally {
                    SignalMasks.unblockWakeSignal();
                    done.complete(null);
                }
            }, "masked-thread");
            thread.setDaemon(true);
            thread.start();
            ThreadContext made = context.get(GUARD_SECONDS, TimeUnit.SECONDS);
            assertThat(masked.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
            assertThat(made.signalMode).as("a thread that took the signal at its first call")
                    .isEqualTo(ThreadContext.SIGNAL_DELIVERED);
            return new MaskedThread(thread, made, done);
        }

        void finish() throws Exception {
            thread.interrupt();
            done.get(GUARD_SECONDS, TimeUnit.SECONDS);
            thread.join();
        }
    }
}
