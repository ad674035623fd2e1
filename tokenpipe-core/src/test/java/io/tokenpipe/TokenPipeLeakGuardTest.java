package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The safety net: ends dropped without close() are closed by the leak guard (tokenpipe-cleaner thread), and reported when asked for. */
@ExtendWith(FdCount.class)
@Timeout(120)
class TokenPipeLeakGuardTest {

    @Test
    void endsDroppedWithoutCloseAreClosedByTheLeakGuard() throws Exception {
        int before = FdCount.openFdCount();
        for (int i = 0; i < 100; i++) {
            TokenPipe pipe = TokenPipe.make().orElseThrow();
            pipe.takeReadEnd(); // dropped on the floor
            pipe.takeWriteEnd();
        }
        assertThat(FdCount.openFdCount()).isEqualTo(before + 200);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (FdCount.openFdCount() > before && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(FdCount.openFdCount()).isEqualTo(before);
    }

    @Test
    void leakDetectionLogsWhereTheLeakedPipeWasMade() throws Exception {
        JavaChild.Result result = JavaChild.run(JavaChild.command(List.of("-Dtokenpipe.leakDetection=true"),
                LeakOnePipe.class));
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("was garbage-collected without close()")
                .contains("token pipe made here").contains("LeakOnePipe.leak").contains("closed=true");
    }

    /** Drops a pipe's ends, collects them, and reports whether the descriptors were closed. */
    public static final class LeakOnePipe {
        public static void main(String[] args) throws Exception {
            FdCount.warmUp();
            int before = FdCount.openFdCount();
            leak();
            for (int i = 0; i < 500 && FdCount.openFdCount() > before; i++) {
                System.gc();
                Thread.sleep(10);
            }
            Thread.sleep(200); // let the log line be written
            System.out.println("closed=" + (FdCount.openFdCount() == before));
        }

        private static void leak() {
            TokenPipe pipe = TokenPipe.make().orElseThrow();
            pipe.takeReadEnd();
            pipe.takeWriteEnd();
        }
    }
}
