package io.tokenpipe.bench;

import io.tokenpipe.TokenPipe;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.channels.Pipe;

/**
 * The first pipe in a fresh JVM: run once per JVM. For tokenpipe this includes loading JNA and its native
 * library and binding libc; for nio, loading the JDK's channel classes. Prints
 * {@code firstuse <impl> <millis of the first make/open> <millis of the JVM's life before it> <CPU millis of
 * the main thread in it>}: the CPU time is not stretched when other processes hold the CPUs.
 */
public final class FirstUse {
    private FirstUse() {
    }

    public static void main(String[] args) throws Exception {
        String impl = args[0];
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        if (impl.equals("tokenpipe")) {
            TokenPipe pipe = TokenPipe.make().orElseThrow();
            long nanos = System.nanoTime() - start;
            long cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart;
            pipe.close();
            print(impl, nanos, uptime, cpuNanos);
        } else if (impl.equals("nio")) {
            Pipe pipe = Pipe.open();
            long nanos = System.nanoTime() - start;
            long cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart;
            pipe.source().close();
            pipe.sink().close();
            print(impl, nanos, uptime, cpuNanos);
        } else {
            throw new IllegalArgumentException("impl " + impl + " is neither tokenpipe nor nio");
        }
    }

    private static void print(String impl, long nanos, long uptimeMillis, long cpuNanos) {
        System.out.printf("firstuse %s %.1f %d %.1f%n", impl, nanos / 1e6, uptimeMillis, cpuNanos / 1e6);
    }
}
