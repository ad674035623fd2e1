package io.tokenpipe.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** CPU time of threads (ThreadMXBean), to tell a thread that sleeps from one that spins. */
public final class CpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuTime() {
    }

    /** The live threads of this JVM whose name starts with {@code prefix}. */
    public static List<Thread> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix))
                .collect(Collectors.toList());
    }

    /** CPU time {@code thread} used so far, in ns (0 once it has ended). */
    @SuppressWarnings("deprecation") // Thread.getId: threadId() is Java 19+
    public static long of(Thread thread) {
        return Math.max(0, THREADS.getThreadCpuTime(thread.getId()));
    }

    /** CPU time the calling thread used so far, in ns. */
    public static long ofCurrentThread() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** The CPU time {@code thread} uses during {@code period}, in ms. */
    public static long usedDuring(Thread thread, Duration period) throws InterruptedException {
        long before = of(thread);
        Thread.sleep(period.toMillis());
        return (of(thread) - before) / 1_000_000;
    }
}
