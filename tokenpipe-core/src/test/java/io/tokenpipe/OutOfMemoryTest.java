package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.StuckReader;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Running out of memory costs a descriptor nothing: in child JVMs with a small heap that they fill (on this JVM's
 * backend), a make() whose objects do not fit after pipe2(2) succeeded closes what pipe2 made, and a close() whose
 * log message does not fit still closes its descriptor.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class OutOfMemoryTest {
    /** Also with leak detection, whose ends keep where they were made (one more object, of another class). */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void makeThatRunsOutOfMemoryAfterPipe2LeavesNoDescriptorOpen(boolean leakDetection) throws Exception {
        List<String> options = List.of("-Xmx32m", "-XX:+UseSerialGC", "-Dtokenpipe.leakDetection=" + leakDetection);
        JavaChild.Result result = JavaChild.run(JavaChild.command(options, MakeInAFullHeap.class));

        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).as(result.toString()).containsPattern("out of memory=[1-9]")
                .contains("descriptors left open=0");
    }

    @Test
    void closeWhoseLogMessageDoesNotFitStillClosesTheDescriptor() throws Exception {
        JavaChild.Result result = JavaChild.run(JavaChild.command(List.of("-Xmx64m", "-XX:+UseSerialGC"),
                CloseInAFullHeap.class));

        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).as(result.toString()).contains("close threw nothing", "open=false",
                "stuck read=-2", "descriptors back=true");
    }

    /**
     * Fills the heap with chunks of halving sizes, down to the smallest object, into {@code chunks}; three times,
     * after a GC each, because the OutOfMemoryErrors the JVM throws first are objects of the heap (with their stack
     * traces) and are garbage once caught.
     */
    static int fill(Object[] chunks) {
        int n = 0;
        for (int pass = 0; pass < 3; pass++) {
            System.gc();
            for (int size = 1 << 20; size >= 16 && n < chunks.length; ) {
                try {
                    chunks[n] = new byte[size - 16]; // header 16 B: byte[0] is the smallest object there is
                    n++;
                } catch (OutOfMemoryError full) {
                    size /= 2;
                }
            }
        }
        return n;
    }

    /**
     * Fills the heap, then frees one 16-byte object per round and calls make() each time, so that make() runs out of
     * memory at every point after pipe2(2) in turn (its first object, the first end, the second, the pipe) and now
     * and then succeeds. The pipes made are kept (in an array allocated before) and closed at the end; then as many
     * descriptors must be open as before.
     */
    public static final class MakeInAFullHeap {
        public static void main(String[] args) throws Exception {
            FdCount.warmUp();
            int before = FdCount.openFdCount();
            Object[] reserve = new Object[200];
            for (int i = 0; i < reserve.length; i++) {
                reserve[i] = new byte[0];
            }
            TokenPipe[] held = new TokenPipe[reserve.length];
            int made = 0;
            int outOfMemory = 0;
            Object[] chunks = new Object[10_000];
            fill(chunks);
            for (int round = 0; round < reserve.length; round++) {
                reserve[round] = null;
                try {
                    java.util.Optional<TokenPipe> pipe = TokenPipe.make();
                    if (pipe.isPresent()) {
                        held[made++] = pipe.get();
                    }
                } catch (OutOfMemoryError expected) {
                    outOfMemory++;
                }
            }
            chunks = null;
            System.gc();
            for (int i = 0; i < made; i++) {
                held[i].close();
            }
            System.out.println("made=" + made + ", out of memory=" + outOfMemory);
            System.out.println("descriptors left open=" + (FdCount.openFdCount() - before));
        }
    }

    /**
     * Closes an end while a reader on it cannot be woken, so close() builds a log message naming that thread; the
     * thread's name is 12 MB long and only about 4 MB of the heap are free, so the message does not fit. close() must
     * return all the same, the end closed, and the descriptor must be closed once the stuck read has ended.
     */
    public static final class CloseInAFullHeap {
        public static void main(String[] args) throws Exception {
            FdCount.warmUp();
            int before = FdCount.openFdCount();
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
                TokenPipeEnd reader = pipe.takeReadEnd();
                StuckReader stuck = StuckReader.start(reader, "r".repeat(12 << 20));
                Object[] chunks = new Object[200];
                int n = 0;
                try {
                    while (n < chunks.length) {
                        chunks[n] = new byte[(1 << 20) - 16];
                        n++;
                    }
                } catch (OutOfMemoryError full) {
                    // the heap is full of 1 MB chunks
                }
                for (int i = 0; i < 4 && n > 0; i++) {
                    chunks[--n] = null;
                }
                Throwable thrown = null;
                try {
                    reader.close(); // finds the reader unable to be woken and logs its name: that does not fit
                } catch (Throwable e) {
                    thrown = e;
                }
                chunks = null;
                System.gc();
                System.out.println(thrown == null ? "close threw nothing" : "close threw " + thrown);
                System.out.println("open=" + reader.isOpen());
                writer.close(); // end of stream ends the stuck read, and its descriptor is closed then
                System.out.println("stuck read=" + stuck.result.get(20, TimeUnit.SECONDS));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); // a hang guard
            while (FdCount.openFdCount() != before && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            System.out.println("descriptors back=" + (FdCount.openFdCount() == before));
        }
    }
}
