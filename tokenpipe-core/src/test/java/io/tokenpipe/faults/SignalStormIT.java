package io.tokenpipe.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.TestThreads;
import io.tokenpipe.testing.Signals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Signals rain on the JVM while readers wait: SIGWINCH and SIGCONT at the whole process (caught by handlers
 * installed here, so they are delivered to some thread, perhaps a reader), and the wake-up signal itself at each
 * reader thread, which makes its read(2) fail with EINTR. No read may return anything but the tokens written,
 * in order: EINTR never surfaces, no timeout fires early.
 */
@ExtendWith(FdCount.class)
@Timeout(180)
class SignalStormIT {
    private static final int READERS = 3;
    private static final int TOKENS_PER_READER = 20_000;

    @Test
    void signalsDuringBlockingReadsNeverSurface() throws Exception {
        AtomicLong caught = new AtomicLong();
        SignalHandler previousWinch = Signal.handle(new Signal("WINCH"), signal -> caught.incrementAndGet());
        SignalHandler previousCont = Signal.handle(new Signal("CONT"), signal -> caught.incrementAndGet());
        try {
            storm(caught);
        } finally {
            Signal.handle(new Signal("WINCH"), previousWinch);
            Signal.handle(new Signal("CONT"), previousCont);
        }
    }

    private static void storm(AtomicLong caught) throws Exception {
        List<TokenPipe> pipes = new ArrayList<>();
        List<TokenPipeEnd> readEnds = new ArrayList<>();
        List<TokenPipeEnd> writeEnds = new ArrayList<>();
        for (int i = 0; i < READERS; i++) {
            TokenPipe pipe = TokenPipe.make().orElseThrow();
            pipes.add(pipe);
            readEnds.add(pipe.takeReadEnd());
            writeEnds.add(pipe.takeWriteEnd());
        }
        List<Long> readerTids = new CopyOnWriteArrayList<>();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < READERS; i++) {
            TokenPipeEnd end = readEnds.get(i);
            boolean timed = i % 2 == 1;
            readers.add(TestThreads.start(() -> {
                readerTids.add(ThreadContext.current().threadId());
                for (int expected = 0; expected < TOKENS_PER_READER; expected++) {
                    int token = timed ? end.tokenRead(Duration.ofSeconds(60)) : end.tokenRead();
                    if (token != (expected & 0xFF)) {
                        problems.add("reader got " + token + " (errno " + end.lastErrno() + ") for token " + expected);
                        return;
                    }
                }
            }));
        }
        Thread writer = TestThreads.start(() -> {
            for (int t = 0; t < TOKENS_PER_READER; t++) {
                for (TokenPipeEnd end : writeEnds) {
                    if (end.tokenWrite(t & 0xFF) != 0) {
                        problems.add("write failed: errno " + end.lastErrno());
                    }
                }
                if (t % 16 == 0) {
                    LockSupport.parkNanos(20_000); // let the readers drain the pipe and block again
                }
            }
        });
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong signals = new AtomicLong();
        Thread storm = TestThreads.start(() -> {
            while (!done.get()) {
                Signals.toThisProcess(Signals.SIGWINCH);
                Signals.toThisProcess(Signals.SIGCONT);
                for (long tid : readerTids) {
                    NativeIo.get().wake(tid);
                }
                signals.addAndGet(2 + readerTids.size());
                LockSupport.parkNanos(10_000);
            }
        });
        TestThreads.joinAll(List.of(writer), Duration.ofSeconds(120));
        TestThreads.joinAll(readers, Duration.ofSeconds(120));
        done.set(true);
        TestThreads.joinAll(List.of(storm), Duration.ofSeconds(30));
        writeEnds.forEach(TokenPipeEnd::close);
        readEnds.forEach(TokenPipeEnd::close);
        pipes.forEach(TokenPipe::close);
        assertThat(problems).isEmpty();
        for (TokenPipeEnd end : readEnds) {
            assertThat(end.lastErrno()).isZero();
        }
        assertThat(signals.get()).isGreaterThan(1_000);
        assertThat(caught.get()).as("process-directed signals that reached a handler").isPositive();
        Figures.report("signals while readers wait (SIGWINCH, SIGCONT at the process; wake-up signal at each reader)",
                signals.get() + " signals (" + caught.get() + " SIGWINCH/SIGCONT caught by handlers), "
                        + READERS * TOKENS_PER_READER + " tokens",
                "0 spurious statuses, 0 EINTR surfaced");
    }
}
