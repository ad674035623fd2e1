package io.tokenpipe.faults;

import static io.tokenpipe.TokenPipeEnd.TS_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.ChildProcess;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.CpuTime;
import io.tokenpipe.testing.FdCount;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The library's threads interrupted every millisecond for 5 s, as a container's clean-up or a harness calling
 * ThreadGroup.interrupt() would, while timed reads and child processes keep them busy: they must keep serving
 * (every timeout fires, every child is reaped) and use about the CPU they use uninterrupted, far from a spin.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class InterruptedLibraryThreadsIT {
    private static final Duration PERIOD = Duration.ofSeconds(5);
    private static final long MAX_CPU_MS_PER_S = 100;

    @Test
    void interruptedLibraryThreadsKeepServingWithoutSpinning() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            assertThat(reader.tokenRead(Duration.ofMillis(10))).isEqualTo(TS_TIMEOUT); // waker and cleaner run
            List<Thread> library = new ArrayList<>(CpuTime.threadsNamed("tokenpipe-"));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong interrupts = new AtomicLong();
            Thread interrupter = new Thread(() -> {
                while (!stop.get()) {
                    for (Thread thread : CpuTime.threadsNamed("tokenpipe-")) {
                        thread.interrupt();
                        interrupts.incrementAndGet();
                    }
                    LockSupport.parkNanos(1_000_000);
                }
            }, "interrupter");
            interrupter.setDaemon(true);
            interrupter.start();
            long[] cpuBefore = new long[library.size()];
            for (int i = 0; i < library.size(); i++) {
                cpuBefore[i] = CpuTime.of(library.get(i));
            }
            long timeouts = 0;
            long children = 0;
            long end = System.nanoTime() + PERIOD.toNanos();
            while (System.nanoTime() < end) {
                try (ChildProcess child = ChildProcess.builder("sleep", "0.05").start()) { // a reaper each time
                    for (int i = 0; i < 5; i++) {
                        assertThat(reader.tokenRead(Duration.ofMillis(10))).isEqualTo(TS_TIMEOUT);
                        timeouts++;
                    }
                    assertThat(child.waitFor(Duration.ofSeconds(20))).isTrue();
                    children++;
                }
            }
            stop.set(true);
            interrupter.join(10_000);
            StringBuilder cpu = new StringBuilder();
            for (int i = 0; i < library.size(); i++) {
                Thread thread = library.get(i);
                long perSecond = (CpuTime.of(thread) - cpuBefore[i]) / 1_000_000 / PERIOD.toSeconds();
                if (thread.isAlive()) {
                    assertThat(perSecond).as("ms of CPU per s %s used", thread.getName()).isLessThan(MAX_CPU_MS_PER_S);
                }
                cpu.append(cpu.length() == 0 ? "" : ", ").append(thread.getName()).append(' ').append(perSecond)
                        .append(" ms/s");
            }
            assertThat(writer.tokenWrite(1)).isZero();
            Figures.report("the library's threads interrupted every millisecond while serving timed reads and"
                    + " child processes (InterruptedLibraryThreadsIT)", interrupts + " interrupts in "
                    + PERIOD.toSeconds() + " s; " + timeouts + " timed reads, " + children + " children",
                    "every timeout fired, every child reaped; CPU used: " + cpu + " (a spinning thread: ~1,000)");
        }
    }
}
