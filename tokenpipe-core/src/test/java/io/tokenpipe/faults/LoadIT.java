package io.tokenpipe.faults;

import static io.tokenpipe.TokenPipeEnd.TS_EOS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.TestThreads;
import io.tokenpipe.testing.JavaChild;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Load: many cycles, many threads on one pipe, many pipes at once. Nothing may leak or get lost. */
@ExtendWith(FdCount.class)
@Timeout(180)
class LoadIT {
    private static final int WRITERS = 8;
    private static final int TOKENS_PER_WRITER = 100_000;
    private static final int SEQUENCE_MODULUS = 32; // token = writer << 5 | sequence % 32

    @Test
    void aMillionMakeTakeCloseCyclesLeaveTheFdCountWhereItWas() {
        int before = FdCount.openFdCount();
        int cycles = 1_000_000;
        for (int i = 0; i < cycles; i++) {
            TokenPipe pipe = TokenPipe.make().orElseThrow();
            TokenPipeEnd reader = pipe.takeReadEnd();
            TokenPipeEnd writer = pipe.takeWriteEnd();
            writer.close();
            reader.close();
            pipe.close();
        }
        assertThat(FdCount.openFdCount()).isEqualTo(before);
        Figures.report("make, take both ends, close", cycles + " cycles", "0 fds");
    }

    @Test
    void eightWritersFourReadersPassEveryTokenExactlyOnceThenEos() throws Exception {
        AtomicIntegerArray counts = new AtomicIntegerArray(256);
        int readers = 4;
        int[] eos = new int[readers];
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            List<Thread> writerThreads = startWriters(writer);
            List<Thread> readerThreads = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                int index = r;
                readerThreads.add(TestThreads.start(() -> {
                    while (true) {
                        int token = reader.tokenRead();
                        if (token == TS_EOS) {
                            eos[index]++;
                            return;
                        }
                        assertThat(token).isBetween(0, 255);
                        counts.incrementAndGet(token);
                    }
                }));
            }
            TestThreads.joinAll(writerThreads, Duration.ofSeconds(120));
            writer.close();
            TestThreads.joinAll(readerThreads, Duration.ofSeconds(120));
        }
        // every (writer, sequence % 32) value was written 100000 / 32 times: it must be read exactly that often
        for (int token = 0; token < 256; token++) {
            assertThat(counts.get(token)).as("token %d", token).isEqualTo(TOKENS_PER_WRITER / SEQUENCE_MODULUS);
        }
        assertThat(eos).containsOnly(1);
        Figures.report("8 writer threads x 100,000 tokens, 4 reader threads on one pipe",
                WRITERS * TOKENS_PER_WRITER + " tokens", "0 lost, 0 duplicated; TS_EOS for all 4 readers");
    }

    @Test
    void eightWritersKeepTheirOwnOrderThroughOnePipe() throws Exception {
        int[] expectedSequence = new int[WRITERS];
        int read = 0;
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            List<Thread> writerThreads = startWriters(writer);
            Thread closer = TestThreads.start(() -> {
                joinAllUnchecked(writerThreads);
                writer.close();
            });
            for (int token = reader.tokenRead(); token != TS_EOS; token = reader.tokenRead()) {
                int from = token >>> 5;
                assertThat(token & (SEQUENCE_MODULUS - 1)).as("sequence of writer %d after %d tokens", from, read)
                        .isEqualTo(expectedSequence[from]);
                expectedSequence[from] = (expectedSequence[from] + 1) % SEQUENCE_MODULUS;
                read++;
            }
            closer.join();
        }
        assertThat(read).isEqualTo(WRITERS * TOKENS_PER_WRITER);
        Figures.report("8 writer threads x 100,000 tokens, 1 reader: per-writer order", read + " tokens",
                "0 out of order");
    }

    @Test
    void tenThousandPipesOpenAtOnceAreAllUsableAndAllClosedAfter() throws Exception {
        // 10,000 pipes are 20,000 descriptors: the child JVM raises its limit (the hard one too where privileged),
        // else sizes the test to the hard limit and says so in its figure.
        JavaChild.Result result = JavaChild.runUnderShell("ulimit -n 20600 2>/dev/null || ulimit -S -n $(ulimit -H -n);",
                List.of("-Xmx256m"), ManyPipes.class, "10000");
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("fds back to start: true");
        String line = result.output.lines().filter(l -> l.startsWith("pipes open at once:")).findFirst().orElseThrow();
        Figures.report("pipes open at once, each written and read", line.replace("pipes open at once: ", ""),
                "0 fds after close");
    }

    private static List<Thread> startWriters(TokenPipeEnd writer) {
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int id = w;
            threads.add(TestThreads.start(() -> {
                for (int sequence = 0; sequence < TOKENS_PER_WRITER; sequence++) {
                    assertThat(writer.tokenWrite(id << 5 | sequence % SEQUENCE_MODULUS)).isZero();
                }
            }));
        }
        return threads;
    }

    private static void joinAllUnchecked(List<Thread> threads) {
        try {
            TestThreads.joinAll(threads, Duration.ofSeconds(120));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Opens as many of the requested pipes as the fd limit allows, uses each, closes all, reports. */
    public static final class ManyPipes {
        public static void main(String[] args) {
            int wanted = Integer.parseInt(args[0]);
            FdCount.warmUp();
            int before = FdCount.openFdCount();
            long limit = io.tokenpipe.internal.NativeIo.get().openFileLimit();
            int fits = (int) Math.min(wanted, (limit - before - 64) / 2);
            List<TokenPipeEnd> readers = new ArrayList<>();
            List<TokenPipeEnd> writers = new ArrayList<>();
            for (int i = 0; i < fits; i++) {
                TokenPipe pipe = TokenPipe.make().orElseThrow(() -> new AssertionError(TokenPipe.lastMakeFailure()));
                readers.add(pipe.takeReadEnd());
                writers.add(pipe.takeWriteEnd());
            }
            for (int i = 0; i < fits; i++) {
                if (writers.get(i).tokenWrite(i & 0xFF) != 0 || readers.get(i).tokenRead() != (i & 0xFF)) {
                    throw new AssertionError("pipe " + i + " did not carry its token");
                }
            }
            int open = FdCount.openFdCount();
            readers.forEach(TokenPipeEnd::close);
            writers.forEach(TokenPipeEnd::close);
            System.out.println("pipes open at once: " + fits + (fits < wanted ? " (sized to RLIMIT_NOFILE " + limit + ")" : "")
                    + ", fds open then: " + open);
            System.out.println("fds back to start: " + (FdCount.openFdCount() == before));
        }
    }
}
