package io.tokenpipe;

import static io.tokenpipe.TokenPipeEnd.TS_EOS;
import static io.tokenpipe.TokenPipeEnd.TS_ERR;
import static io.tokenpipe.TokenPipeEnd.TS_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.TestThreads;
import io.tokenpipe.testing.NativeThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Beyond the originals: ends shared between threads, close and interrupt from other threads, signals. */
@ExtendWith(FdCount.class)
@Timeout(60)
class TokenPipeConcurrencyTest {

    @Test
    void concurrentWritersAndReadersPassEveryTokenExactlyOnce() throws Exception {
        int writers = 4;
        int readers = 3;
        int perWriter = 20_000;
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            // each writer sends its own token value; counts per value prove nothing was lost or doubled
            List<Thread> writerThreads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int token = 10 + w;
                writerThreads.add(TestThreads.start(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        assertThat(writer.tokenWrite(token)).isZero();
                    }
                }));
            }
            int[][] counts = new int[readers][256];
            AtomicInteger eosSeen = new AtomicInteger();
            List<Thread> readerThreads = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                int[] mine = counts[r];
                readerThreads.add(TestThreads.start(() -> {
                    while (true) {
                        int token = reader.tokenRead();
                        if (token == TS_EOS) {
                            eosSeen.incrementAndGet();
                            return;
                        }
                        assertThat(token).isBetween(0, 255);
                        mine[token]++;
                    }
                }));
            }
            TestThreads.joinAll(writerThreads, Duration.ofSeconds(30));
            writer.close();
            TestThreads.joinAll(readerThreads, Duration.ofSeconds(30));
            assertThat(eosSeen).hasValue(readers);
            for (int w = 0; w < writers; w++) {
                int total = 0;
                for (int r = 0; r < readers; r++) {
                    total += counts[r][10 + w];
                }
                assertThat(total).as("tokens of writer %d", w).isEqualTo(perWriter);
            }
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedReader() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
            TokenPipeEnd reader = pipe.takeReadEnd();
            BlockedCall call = BlockedCall.start(reader::tokenRead);
            reader.close();
            assertThat(call.result(Duration.ofSeconds(5))).isEqualTo(TS_ERR);
            assertThat(reader.lastErrno()).isEqualTo(Errno.EBADF);
            assertThat(reader.isOpen()).isFalse();
            assertThat(writer.tokenWrite(1)).isEqualTo(TS_ERR); // the read end really is gone
            assertThat(writer.lastErrno()).isEqualTo(Errno.EPIPE);
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedTimedReader() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
            TokenPipeEnd reader = pipe.takeReadEnd();
            BlockedCall call = BlockedCall.start(() -> reader.tokenRead(Duration.ofMinutes(5)));
            reader.close();
            assertThat(call.result(Duration.ofSeconds(5))).isEqualTo(TS_ERR);
            assertThat(reader.lastErrno()).isEqualTo(Errno.EBADF);
        }
    }

    @Test
    void closeFromAnotherThreadWakesAWriterBlockedOnAFullPipe() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            BlockedCall call = BlockedCall.start(() -> {
                while (true) { // fills the pipe (64 KiB), then blocks
                    int result = writer.tokenWrite(1);
                    if (result != 0) {
                        return result;
                    }
                }
            });
            writer.close();
            assertThat(call.result(Duration.ofSeconds(5))).isEqualTo(TS_ERR);
            assertThat(writer.lastErrno()).isEqualTo(Errno.EBADF);
            int drained = 0;
            while (reader.tokenRead() == 1) {
                drained++;
            }
            assertThat(drained).isGreaterThanOrEqualTo(4096);
            assertThat(reader.tokenRead()).isEqualTo(TS_EOS);
        }
    }

    @Test
    void manyThreadsBlockedOnOneEndAllWakeOnClose() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
            TokenPipeEnd reader = pipe.takeReadEnd();
            List<BlockedCall> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                calls.add(BlockedCall.start(reader::tokenRead));
            }
            reader.close();
            for (BlockedCall call : calls) {
                assertThat(call.result(Duration.ofSeconds(5))).isEqualTo(TS_ERR);
            }
        }
    }

    @Test
    void closeRacingWithCallsNeverLeaksATokenIntoAPipeMadeAfterwards() throws Exception {
        // A reader keeps reading while another thread closes its end; a pipe made right after gets the lowest
        // free numbers, very likely the old ones. Were the old fd closed under the reader's feet, the reader
        // would steal the new pipe's token.
        for (int round = 0; round < 300; round++) {
            TokenPipe old = TokenPipe.make().orElseThrow();
            TokenPipeEnd oldReader = old.takeReadEnd();
            TokenPipeEnd oldWriter = old.takeWriteEnd();
            CountDownLatch started = new CountDownLatch(1);
            AtomicLong stolen = new AtomicLong();
            Thread reader = TestThreads.start(() -> {
                started.countDown();
                while (true) {
                    int token = oldReader.tokenRead();
                    if (token == TS_ERR) {
                        return;
                    }
                    if (token == 77) {
                        stolen.incrementAndGet();
                    }
                }
            });
            started.await();
            if (round % 2 == 0) {
                Thread.onSpinWait();
            }
            oldReader.close();
            try (TokenPipe fresh = TokenPipe.make().orElseThrow();
                 TokenPipeEnd freshReader = fresh.takeReadEnd();
                 TokenPipeEnd freshWriter = fresh.takeWriteEnd()) {
                assertThat(freshWriter.tokenWrite(77)).isZero();
                reader.join(5_000);
                assertThat(reader.isAlive()).isFalse();
                assertThat(stolen).hasValue(0);
                assertThat(freshReader.tokenRead(Duration.ofSeconds(5))).isEqualTo(77);
            }
            oldWriter.close();
        }
    }

    @Test
    void interruptWakesABlockedReaderAndKeepsTheInterruptStatus() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            AtomicInteger errno = new AtomicInteger();
            CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
            BlockedCall call = BlockedCall.start(() -> {
                int result = reader.tokenRead();
                errno.set(reader.lastErrno());
                stillInterrupted.complete(Thread.currentThread().isInterrupted());
                return result;
            });
            call.thread.interrupt();
            assertThat(call.result(Duration.ofSeconds(5))).isEqualTo(TS_ERR);
            assertThat(errno).hasValue(Errno.EINTR);
            assertThat(stillInterrupted.get(5, TimeUnit.SECONDS)).isTrue();
            // the end is still usable by others
            assertThat(writer.tokenWrite(8)).isZero();
            assertThat(reader.tokenRead()).isEqualTo(8);
        }
    }

    @Test
    void anInterruptedThreadDoesNotStartToWait() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            Thread.currentThread().interrupt();
            try {
                assertThat(reader.tokenRead()).isEqualTo(TS_ERR);
                assertThat(reader.lastErrno()).isEqualTo(Errno.EINTR);
                assertThat(writer.tokenWrite(1)).isEqualTo(TS_ERR);
                assertThat(writer.lastErrno()).isEqualTo(Errno.EINTR);
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void signalsInterruptingABlockedReadAreRetriedNeverReported() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            AtomicLong tid = new AtomicLong();
            BlockedCall call = BlockedCall.start(() -> {
                tid.set(ThreadContext.current().threadId());
                return reader.tokenRead();
            });
            // the wake-up signal, sent at the blocked thread itself, makes read(2) fail with EINTR every time
            for (int i = 0; i < 200; i++) {
                NativeThreads.awaitBlockedOnPipe(tid.get());
                io.tokenpipe.internal.NativeIo.get().wake(tid.get());
            }
            assertThat(call.future).isNotDone();
            assertThat(writer.tokenWrite(42)).isZero();
            assertThat(call.result(Duration.ofSeconds(5))).isEqualTo(42);
            assertThat(reader.lastErrno()).isZero();
        }
    }

    @Test
    void timedReadsOnManyThreadsAllTimeOut() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            ConcurrentLinkedQueue<Integer> results = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long millis = 20L * (i + 1);
                threads.add(TestThreads.start(() -> results.add(reader.tokenRead(Duration.ofMillis(millis)))));
            }
            TestThreads.joinAll(threads, Duration.ofSeconds(30));
            assertThat(results).containsOnly(TS_TIMEOUT).hasSize(5);
        }
    }

    @Test
    void timedReadsOnManyEndsStartedAtOnceAllTimeOut() throws Exception {
        // More ends than the waker's arrays start with (64), handed to it at once, in rounds: none may be lost.
        for (int round = 0; round < 3; round++) {
            List<TokenPipe> pipes = new ArrayList<>();
            List<TokenPipeEnd> readers = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    pipes.add(TokenPipe.make().orElseThrow());
                    readers.add(pipes.get(i).takeReadEnd());
                }
                ConcurrentLinkedQueue<Integer> results = new ConcurrentLinkedQueue<>();
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> threads = new ArrayList<>();
                for (TokenPipeEnd reader : readers) {
                    threads.add(TestThreads.start(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        }
                        results.add(reader.tokenRead(Duration.ofMillis(100)));
                    }));
                }
                go.countDown();
                TestThreads.joinAll(threads, Duration.ofSeconds(30));
                assertThat(results).hasSize(200).containsOnly(TS_TIMEOUT);
            } finally {
                readers.forEach(TokenPipeEnd::close);
                pipes.forEach(TokenPipe::close); // and the write ends, never taken
            }
        }
    }

    @Test
    void takeRacingWithPipeCloseGetsEitherAnOpenEndOrTheClosedOneNeverALeak() throws Exception {
        for (int round = 0; round < 500; round++) {
            TokenPipe pipe = TokenPipe.make().orElseThrow();
            CompletableFuture<TokenPipeEnd> taken = CompletableFuture.supplyAsync(pipe::takeReadEnd);
            pipe.close();
            TokenPipeEnd reader = taken.get(5, TimeUnit.SECONDS);
            if (reader.isOpen()) {
                assertThat(reader.tokenRead()).isEqualTo(TS_EOS); // its writer was closed by pipe.close()
            } else {
                assertThat(reader.tokenRead()).isEqualTo(TS_ERR);
            }
            reader.close();
        }
    }

    /** A call started on its own thread; {@link #start} returns once that thread is blocked on the pipe. */
    private static final class BlockedCall {
        final Thread thread;
        final CompletableFuture<Integer> future;

        private BlockedCall(Thread thread, CompletableFuture<Integer> future) {
            this.thread = thread;
            this.future = future;
        }

        interface IntCall {
            int call();
        }

        static BlockedCall start(IntCall body) throws InterruptedException {
            CompletableFuture<Integer> future = new CompletableFuture<>();
            AtomicLong tid = new AtomicLong();
            CountDownLatch known = new CountDownLatch(1);
            Thread thread = new Thread(() -> {
                tid.set(ThreadContext.current().threadId());
                known.countDown();
                try {
                    future.complete(body.call());
                } catch (Throwable e) {
                    future.completeExceptionally(e);
                }
            });
            thread.start();
            known.await();
            NativeThreads.awaitBlockedOnPipe(tid.get());
            return new BlockedCall(thread, future);
        }

        int result(Duration within) throws Exception {
            int result = future.get(within.toMillis(), TimeUnit.MILLISECONDS);
            thread.join(5_000);
            return result;
        }
    }
}
