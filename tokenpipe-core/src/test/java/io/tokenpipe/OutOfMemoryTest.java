package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Running out of memory costs a descriptor nothing: in child JVMs with a small heap that they fill (on this JVM's
 * backend), a make() whose objects do not fit after pipe2(2) succeeded closes what pipe2 made.
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
}
