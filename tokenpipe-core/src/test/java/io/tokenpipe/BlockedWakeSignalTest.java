package io.tokenpipe;

import static io.tokenpipe.TokenPipeEnd.TS_EOS;
import static io.tokenpipe.TokenPipeEnd.TS_ERR;
import static io.tokenpipe.TokenPipeEnd.TS_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.LogCapture;
import io.tokenpipe.testing.NativeThreads;
import io.tokenpipe.testing.NewestJdk;
import io.tokenpipe.testing.RawFds;
import io.tokenpipe.testing.SignalMasks;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Threads that block the wake-up signal: timeouts, interrupts and close() must reach them all the same, and the
 * caller's signal mask must be what it was. Threads blocking it before their first token call (a Java thread calling
 * pthread_sigmask first, or only after making a pipe; a native-made thread attached to the JVM) are served exactly;
 * a thread that blocks it only after its first token call cannot be woken inside the call it is in, but close() returns and says why, and its later
 * calls are served. Every wait here has a hang guard.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class BlockedWakeSignalTest {

    @Test
    void aThreadBlockingTheSignalBeforeItsFirstCallIsServed() throws Exception {
        Scenarios.aThreadBlockingTheSignalBeforeItsFirstCallIsServed();
    }

    @Test
    void aThreadBlockingTheSignalAfterMakingAPipeButBeforeItsFirstTokenCallIsServed() throws Exception {
        Scenarios.aThreadBlockingTheSignalAfterMakingAPipeButBeforeItsFirstTokenCallIsServed();
    }

    @Test
    void aNativeThreadAttachedWithTheSignalBlockedIsServed() throws Exception {
        Scenarios.aNativeThreadAttachedWithTheSignalBlockedIsServed();
    }

    @Test
    void aThreadBlockingTheSignalAfterItsFirstCallDoesNotHangClose() throws Exception {
        Scenarios.aThreadBlockingTheSignalAfterItsFirstCallDoesNotHangClose();
    }

    @Test
    void aStuckTimedReadEndsWithItsSystemCallAndTheNextIsServed() throws Exception {
        Scenarios.aStuckTimedReadEndsWithItsSystemCallAndTheNextIsServed();
    }

    @Test
    void onTheNewestJdk() throws Exception {
        NewestJdk.runScenarios(List.of(), Scenarios.class, "aThreadBlockingTheSignalBeforeItsFirstCallIsServed",
                "aThreadBlockingTheSignalAfterMakingAPipeButBeforeItsFirstTokenCallIsServed",
                "aNativeThreadAttachedWithTheSignalBlockedIsServed",
                "aThreadBlockingTheSignalAfterItsFirstCallDoesNotHangClose",
                "aStuckTimedReadEndsWithItsSystemCallAndTheNextIsServed");
    }

    /** The scenarios, run here on Java 17 and by {@link #onTheNewestJdk} in a child JVM. */
    public static final class Scenarios {
        private static final Duration GUARD = Duration.ofSeconds(20);

        public static void aThreadBlockingTheSignalBeforeItsFirstCallIsServed() throws Exception {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    SignalMasks.blockWakeSignal(); // before this thread's first token call
                    everyWaitIsServed();
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            }, "blocks-wake-signal");
            thread.setDaemon(true);
            thread.start();
            done.get(GUARD.toSeconds() * 3, TimeUnit.SECONDS);
        }

        /**
         * make() gives the thread its context (for pipe2's buffer) but makes no token call: the mask is read at the
         * first token call, so blocking the signal in between is blocking it "from the start".
         */
        public static void aThreadBlockingTheSignalAfterMakingAPipeButBeforeItsFirstTokenCallIsServed()
                throws Exception {
            try (LogCapture log = LogCapture.start()) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                Thread thread = new Thread(() -> {
                    try {
                        TokenPipe.make().orElseThrow().close(); // no token call: the mask is not read yet
                        SignalMasks.blockWakeSignal();
                        everyWaitIsServed();
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                }, "blocks-wake-signal-after-make");
                thread.setDaemon(true);
                thread.start();
                done.get(GUARD.toSeconds() * 3, TimeUnit.SECONDS);
                assertThat(log.warnings()).as("no call was stuck").isEmpty();
            }
        }

        public static void aNativeThreadAttachedWithTheSignalBlockedIsServed() throws Exception {
            SignalMasks.join(SignalMasks.startNativeThreadBlockingWakeSignal(() -> {
                try {
                    assertThat(SignalMasks.blocksWakeSignal(SignalMasks.currentTid())).as("inherited mask").isTrue();
                    everyWaitIsServed();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }), GUARD.toSeconds() * 3);
        }

        /**
         * Runs on a thread whose mask blocks the wake-up signal: a timeout, an interrupt and a close from another
         * thread each end a wait, and the mask is the same afterwards.
         */
        static void everyWaitIsServed() throws Exception {
            long tid = ThreadContext.current().threadId();
            Thread self = Thread.currentThread();
            try (TokenPipe pipe = TokenPipe.make().orElseThrow();
                 TokenPipeEnd reader = pipe.takeReadEnd();
                 TokenPipeEnd writer = pipe.takeWriteEnd()) {
                assertThat(reader.tokenRead(Duration.ofMillis(200))).as("timed read").isEqualTo(TS_TIMEOUT);

                CompletableFuture<Void> interrupter = CompletableFuture.runAsync(() -> {
                    awaitBlocked(tid);
                    self.interrupt();
                });
                assertThat(reader.tokenRead()).as("interrupted read").isEqualTo(TS_ERR);
                assertThat(reader.lastErrno()).isEqualTo(Errno.EINTR);
                assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
                interrupter.get(GUARD.toSeconds(), TimeUnit.SECONDS);

                assertThat(writer.tokenWrite(7)).isZero();
                assertThat(reader.tokenRead()).isEqualTo(7);

                CompletableFuture<Void> closer = CompletableFuture.runAsync(() -> {
                    awaitBlocked(tid);
                    reader.close();
                });
                assertThat(reader.tokenRead()).as("read woken by close").isEqualTo(TS_ERR);
                assertThat(reader.lastErrno()).isEqualTo(Errno.EBADF);
                closer.get(GUARD.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(SignalMasks.blocksWakeSignal(tid)).as("the thread's own mask is left as it was").isTrue();
        }

        public static void aThreadBlockingTheSignalAfterItsFirstCallDoesNotHangClose() throws Exception {
            try (LogCapture log = LogCapture.start();
                 TokenPipe first = TokenPipe.make().orElseThrow();
                 TokenPipeEnd firstWriter = first.takeWriteEnd()) {
                TokenPipeEnd firstReader = first.takeReadEnd();
                int firstFd = readEndFd(firstReader);
                String firstPipe = RawFds.target("self", firstFd);
                AtomicLong tid = new AtomicLong();
                AtomicReference<Integer> stuckResult = new AtomicReference<>();
                CountDownLatch stuckReturned = new CountDownLatch(1);
                CountDownLatch nextCalls = new CountDownLatch(1);
                CompletableFuture<Void> done = new CompletableFuture<>();
                Thread thread = new Thread(() -> {
                    try {
                        assertThat(firstReader.tokenRead(Duration.ZERO)).isEqualTo(TS_TIMEOUT); // mask read here
                        SignalMasks.blockWakeSignal(); // ... and changed only now
                        tid.set(ThreadContext.current().threadId()); // the next read(2) is the one to wait for
                        stuckResult.set(firstReader.tokenRead());
                        stuckReturned.countDown();
                        nextCalls.await();
                        everyWaitIsServed(); // later calls notice the blocked signal
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                        stuckReturned.countDown();
                    }
                }, "blocks-wake-signal-late");
                thread.setDaemon(true);
                thread.start();
                awaitBlocked(tidOf(tid));

                CompletableFuture<Void> close = CompletableFuture.runAsync(firstReader::close);
                close.get(GUARD.toSeconds(), TimeUnit.SECONDS); // returns although the reader cannot be woken
                assertThat(firstReader.isOpen()).isFalse();
                assertThat(log.warnings()).anySatisfy(message -> assertThat(message)
                        .contains("blocks the wake-up signal").contains("blocks-wake-signal-late"));
                assertThat(RawFds.target("self", firstFd)).as("closed only once the stuck call returns")
                        .isEqualTo(firstPipe);
                assertThat(stuckReturned.getCount()).as("the stuck read is still inside").isOne();

                firstWriter.close(); // end of stream ends the stuck read
                assertThat(stuckReturned.await(GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(stuckResult.get()).isEqualTo(TS_EOS);
                awaitClosed(firstFd, firstPipe);
                nextCalls.countDown();
                done.get(GUARD.toSeconds() * 3, TimeUnit.SECONDS);
            }
        }

        /**
         * A timed read on a thread that blocked the signal after its first call, interrupted too: neither its
         * deadline nor the interrupt can end it (the waker says why, once), a token does; the interrupt status is
         * kept, and the thread's next timed read times out as it should.
         */
        public static void aStuckTimedReadEndsWithItsSystemCallAndTheNextIsServed() throws Exception {
            try (LogCapture log = LogCapture.start();
                 TokenPipe pipe = TokenPipe.make().orElseThrow();
                 TokenPipeEnd reader = pipe.takeReadEnd();
                 TokenPipeEnd writer = pipe.takeWriteEnd()) {
                AtomicLong tid = new AtomicLong();
                CompletableFuture<int[]> stuck = new CompletableFuture<>();
                CompletableFuture<Integer> next = new CompletableFuture<>();
                Thread thread = new Thread(() -> {
                    assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(TS_TIMEOUT);
                    SignalMasks.blockWakeSignal();
                    tid.set(ThreadContext.current().threadId());
                    int token = reader.tokenRead(Duration.ofMillis(100));
                    stuck.complete(new int[] {token, Thread.interrupted() ? 1 : 0});
                    next.complete(reader.tokenRead(Duration.ofMillis(100)));
                }, "blocks-wake-signal-timed");
                thread.setDaemon(true);
                thread.start();
                awaitBlocked(tidOf(tid));
                thread.interrupt();
                long deadline = System.nanoTime() + GUARD.toNanos();
                while (log.warnings().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(log.warnings()).singleElement().asString().contains("blocks-wake-signal-timed")
                        .contains("blocks the wake-up signal").contains("takes effect only once that call returns");
                assertThat(stuck).as("past its deadline and interrupted, still in read(2)").isNotDone();
                assertThat(writer.tokenWrite(9)).isZero();
                assertThat(stuck.get(GUARD.toSeconds(), TimeUnit.SECONDS)).as("token, interrupted")
                        .containsExactly(9, 1);
                assertThat(next.get(GUARD.toSeconds(), TimeUnit.SECONDS)).isEqualTo(TS_TIMEOUT);
            }
        }

        private static long tidOf(AtomicLong tid) throws InterruptedException {
            long deadline = System.nanoTime() + GUARD.toNanos();
            while (tid.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            return tid.get();
        }

        private static void awaitBlocked(long tid) {
            try {
                NativeThreads.awaitBlockedOnPipe(tid);
                Thread.sleep(20); // past the system call's first instructions
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Waits until fd no longer refers to {@code pipe} ("pipe:[inode]"; the number may be reused meanwhile). */
        private static void awaitClosed(int fd, String pipe) throws InterruptedException {
            long deadline = System.nanoTime() + GUARD.toNanos();
            while (pipe.equals(RawFds.target("self", fd)) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(RawFds.target("self", fd)).as("fd %d closed after the stuck call returned", fd)
                    .isNotEqualTo(pipe);
        }

        private static int readEndFd(TokenPipeEnd end) {
            return end.handle().fd();
        }
    }
}
