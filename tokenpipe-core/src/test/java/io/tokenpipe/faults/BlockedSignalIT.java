package io.tokenpipe.faults;

import static io.tokenpipe.TokenPipeEnd.TS_EOS;
import static io.tokenpipe.TokenPipeEnd.TS_ERR;
import static io.tokenpipe.TokenPipeEnd.TS_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.LogCapture;
import io.tokenpipe.testing.NativeThreads;
import io.tokenpipe.testing.SignalMasks;
import io.tokenpipe.testing.StuckReader;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Waits ended by close(), an interrupt or a timeout, round after round, on threads that block the wake-up signal:
 * a Java thread that blocked it before its first call, a native-made thread attached to the JVM with it blocked,
 * and threads that block it only after their first call (which cannot be woken from that call: close() must still
 * return, and the descriptor be closed once the call ends). Every round has a hang guard; none may hang.
 */
@ExtendWith(FdCount.class)
@Timeout(300)
class BlockedSignalIT {
    private static final int ROUNDS = 1_500;
    private static final int LATE_ROUNDS = 20;
    private static final long GUARD_SECONDS = 10;

    @Test
    void waitsOnThreadsThatBlockTheSignalAlwaysEnd() throws Exception {
        long javaRounds = runRounds(body -> {
            Thread thread = new Thread(() -> {
                SignalMasks.blockWakeSignal();
                body.accept(null);
            }, "blocks-wake-signal");
            thread.setDaemon(true);
            thread.start();
        });
        long nativeRounds = runRounds(body -> SignalMasks.startNativeThreadBlockingWakeSignal(() -> body.accept(null)));
        long lateRounds = blockedAfterTheFirstCall();
        Figures.report("waits on threads that block the wake-up signal, ended by close(), an interrupt or a timeout"
                + " (BlockedSignalIT)", javaRounds + " rounds on a Java thread that blocked it before its first call, "
                + nativeRounds + " on a native thread attached with it blocked; " + lateRounds + " closes of a read"
                + " stuck on a thread that blocked it after its first call", "0 hangs; every wait ended with the"
                + " status its cause gives (EBADF, EINTR, TS_TIMEOUT); the stuck reads' close() returned and their"
                + " descriptors were closed when the reads ended");
    }

    /** One round: what ends the wait, and what the reader got. */
    private static final class Round {
        final TokenPipeEnd reader;
        final int kind; // 0: close, 1: interrupt, 2: timeout
        final CompletableFuture<int[]> result = new CompletableFuture<>();

        Round(TokenPipeEnd reader, int kind) {
            this.reader = reader;
            this.kind = kind;
        }
    }

    /** Runs ROUNDS rounds on a reader thread that {@code starter} starts with the signal blocked. */
    private static long runRounds(Consumer<Consumer<Void>> starter) throws Exception {
        BlockingQueue<Round> rounds = new ArrayBlockingQueue<>(1);
        AtomicLong tid = new AtomicLong();
        AtomicReference<Thread> readerThread = new AtomicReference<>();
        CompletableFuture<Void> finished = new CompletableFuture<>();
        starter.accept(ignored -> {
            try {
                readerThread.set(Thread.currentThread());
                tid.set(ThreadContext.current().threadId());
                while (true) {
                    Round round = rounds.take();
                    if (round.reader == null) {
                        break;
                    }
                    int token = round.kind == 2 ? round.reader.tokenRead(Duration.ofMillis(5)) : round.reader.tokenRead();
                    boolean interrupted = Thread.interrupted();
                    round.result.complete(new int[] {token, round.reader.lastErrno(), interrupted ? 1 : 0});
                }
                finished.complete(null);
            } catch (Throwable e) {
                finished.completeExceptionally(e);
            }
        });
        long done = 0;
        for (int i = 0; i < ROUNDS; i++) {
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
                TokenPipeEnd end = pipe.takeReadEnd();
                Round round = new Round(end, i % 3);
                rounds.put(round);
                if (round.kind != 2) {
                    while (tid.get() == 0) {
                        Thread.sleep(1);
                    }
                    NativeThreads.awaitBlockedOnPipe(tid.get());
                    if (round.kind == 0) {
                        end.close();
                    } else {
                        readerThread.get().interrupt();
                    }
                }
                int[] result = round.result.get(GUARD_SECONDS, TimeUnit.SECONDS);
                int[] expected = round.kind == 0 ? new int[] {TS_ERR, Errno.EBADF, 0}
                        : round.kind == 1 ? new int[] {TS_ERR, Errno.EINTR, 1} : new int[] {TS_TIMEOUT, 0, 0};
                assertThat(result).as("round %d", i).containsExactly(expected);
                end.close();
                done++;
            }
        }
        rounds.put(new Round(null, 0));
        finished.get(GUARD_SECONDS, TimeUnit.SECONDS);
        return done;
    }

    private static long blockedAfterTheFirstCall() throws Exception {
        long done = 0;
        try (LogCapture log = LogCapture.start()) {
            for (int i = 0; i < LATE_ROUNDS; i++) {
                try (TokenPipe pipe = TokenPipe.make().orElseThrow()) {
                    TokenPipeEnd reader = pipe.takeReadEnd();
                    TokenPipeEnd writer = pipe.takeWriteEnd();
                    StuckReader stuck = StuckReader.start(reader, "stuck-reader-" + i);
                    CompletableFuture.runAsync(reader::close).get(GUARD_SECONDS, TimeUnit.SECONDS);
                    assertThat(stuck.result).isNotDone();
                    writer.close();
                    assertThat(stuck.result.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(TS_EOS);
                    done++;
                }
            }
            assertThat(log.warnings()).hasSize(LATE_ROUNDS); // once per thread: each round has its own
        }
        return done;
    }
}
