package io.tokenpipe;

import static io.tokenpipe.TokenPipeEnd.TS_ERR;
import static io.tokenpipe.TokenPipeEnd.TS_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.testing.CpuTime;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.NewestJdk;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The library's own threads (tokenpipe-waker, tokenpipe-cleaner, the child reapers) belong to nobody who may
 * interrupt them, yet ThreadGroup.interrupt(), a container's clean-up or a test harness does. They must clear and
 * ignore the interrupt, use no CPU while idle, and keep doing their job. CPU is read from ThreadMXBean; the bound
 * (300 ms in 1 s) is generous for a loaded machine, and a spinning thread (about 1 s per s) cannot meet it.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class LibraryThreadsTest {

    @Test
    void interruptedWakerAndCleanerStayIdleAndKeepServing() throws Exception {
        Scenarios.interruptedWakerAndCleanerStayIdleAndKeepServing();
    }

    @Test
    void anInterruptedReaperStaysIdleAndStillReaps() throws Exception {
        Scenarios.anInterruptedReaperStaysIdleAndStillReaps();
    }

    @Test
    void onTheNewestJdk() throws Exception {
        NewestJdk.runScenarios(List.of(), Scenarios.class, "interruptedWakerAndCleanerStayIdleAndKeepServing",
                "anInterruptedReaperStaysIdleAndStillReaps");
    }

    /** The scenarios, run here on Java 17 and by {@link #onTheNewestJdk} in a child JVM. */
    public static final class Scenarios {
        private static final Duration PERIOD = Duration.ofSeconds(1);
        private static final long MAX_CPU_MS = 300;

        public static void interruptedWakerAndCleanerStayIdleAndKeepServing() throws Exception {
            try (TokenPipe pipe = TokenPipe.make().orElseThrow();
                 TokenPipeEnd reader = pipe.takeReadEnd();
                 TokenPipeEnd writer = pipe.takeWriteEnd()) {
                assertThat(reader.tokenRead(Duration.ofMillis(30))).isEqualTo(TS_TIMEOUT); // the waker runs now
                for (String name : List.of("tokenpipe-waker", "tokenpipe-cleaner")) {
                    List<Thread> threads = CpuTime.threadsNamed(name);
                    assertThat(threads).as(name).hasSize(1);
                    Thread thread = threads.get(0);
                    for (int i = 0; i < 3; i++) {
                        thread.interrupt();
                        Thread.sleep(10);
                    }
                    awaitNotInterrupted(thread);
                    assertThat(CpuTime.usedDuring(thread, PERIOD)).as("ms of CPU %s used in %s after interrupts",
                            name, PERIOD).isLessThan(MAX_CPU_MS);
                }
                // still serving: a timeout and an interrupt of a blocked reader
                assertThat(reader.tokenRead(Duration.ofMillis(50))).isEqualTo(TS_TIMEOUT);
                BlockedRead blocked = BlockedRead.start(reader, "blocked-reader");
                blocked.interrupt();
                assertThat(blocked.result()).containsExactly(TS_ERR, Errno.EINTR);
                assertThat(writer.tokenWrite(1)).isZero();
            }
        }

        public static void anInterruptedReaperStaysIdleAndStillReaps() throws Exception {
            try (ChildProcess child = ChildProcess.builder("sleep", "2").start()) {
                List<Thread> reapers = CpuTime.threadsNamed("tokenpipe-reaper");
                assertThat(reapers).as("reaper threads").isNotEmpty();
                for (Thread reaper : reapers) {
                    reaper.interrupt();
                }
                for (Thread reaper : reapers) { // in poll(2) it cannot see the flag; what matters is that it never spins
                    assertThat(CpuTime.usedDuring(reaper, PERIOD)).as("ms of CPU %s used in %s after an interrupt",
                            reaper.getName(), PERIOD).isLessThan(MAX_CPU_MS);
                }
                assertThat(child.waitFor(Duration.ofSeconds(20))).isTrue();
                assertThat(child.exitValue()).hasValue(0);
            }
        }

        /** A library thread clears an interrupt at once (it never waits with the flag set). */
        private static void awaitNotInterrupted(Thread thread) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (thread.isInterrupted() && thread.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(thread.isInterrupted()).as("%s still interrupted", thread.getName()).isFalse();
        }
    }
}
