package io.tokenpipe.bench;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a new virtual thread's first token call costs while 1,000 to 16,000 virtual threads are alive (Java 21+;
 * run by first-token.sh on the newest JDK). Each of N new virtual threads reads one token (written beforehand)
 * from a shared pipe, its first call, and then waits until all N have read, so all N are alive at once; the CPU time
 * the JVM's platform threads (the carriers and main; not GC or JIT threads) used from the first start to the last
 * read, divided by N, is the cost per thread. CPU time, not wall time: other processes on a shared machine stretch
 * wall time, not this. The
 * same without the token call gives what starting a virtual thread costs by itself; the difference is the first
 * token's share (registration included).
 *
 * <p>Prints {@code firsttoken <threads> <us per thread with the token> <us per thread without> <us of the token>},
 * medians of the rounds. What matters is whether they grow with N.
 */
public final class VirtualThreadFirstToken {
    private static final MethodHandle START_VIRTUAL_THREAD;
    private static final AtomicInteger SINK = new AtomicInteger();
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    static {
        try {
            START_VIRTUAL_THREAD = MethodHandles.publicLookup().findStatic(Thread.class, "startVirtualThread",
                    MethodType.methodType(Thread.class, Runnable.class));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("virtual threads need Java 21 or later; this is " + Runtime.version(), e);
        }
    }

    private VirtualThreadFirstToken() {
    }

    public static void main(String[] args) throws Throwable {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        int[] counts = {1_000, 2_000, 4_000, 8_000, 16_000};
        for (int i = 0; i < 3; i++) { // warm-up: the JIT compiles the token path and thread start
            perThread(4_000, true);
            perThread(4_000, false);
        }
        List<List<Double>> with = new ArrayList<>();
        List<List<Double>> without = new ArrayList<>();
        for (int ignored : counts) {
            with.add(new ArrayList<>());
            without.add(new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < counts.length; i++) {
                with.get(i).add(perThread(counts[i], true));
                without.get(i).add(perThread(counts[i], false));
            }
        }
        for (int i = 0; i < counts.length; i++) {
            double a = median(with.get(i));
            double b = median(without.get(i));
            System.out.printf("firsttoken %d %.2f %.2f %.2f%n", counts[i], a, b, a - b);
        }
    }

    /** Starts {@code threads} virtual threads that each make their first token call; microseconds per thread. */
    private static double perThread(int threads, boolean token) throws Throwable {
        TokenPipe pipe = TokenPipe.make().orElseThrow();
        try (TokenPipeEnd reader = pipe.takeReadEnd(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
            for (int i = 0; i < threads; i++) { // 16,000 tokens fit in a pipe (64 KiB)
                writer.tokenWrite(i & 0xFF);
            }
            CountDownLatch done = new CountDownLatch(threads);
            CountDownLatch release = new CountDownLatch(1);
            Runnable body = () -> {
                SINK.addAndGet(token ? reader.tokenRead() : 1);
                done.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            List<Thread> started = new ArrayList<>(threads);
            long start = cpuOfPlatformThreads();
            for (int i = 0; i < threads; i++) {
                started.add((Thread) START_VIRTUAL_THREAD.invokeExact(body));
            }
            done.await();
            long elapsed = cpuOfPlatformThreads() - start;
            release.countDown();
            for (Thread thread : started) {
                thread.join();
            }
            return elapsed / 1_000.0 / threads;
        }
    }

    /** Nanoseconds of CPU all live platform threads have used (the carriers among them). */
    private static long cpuOfPlatformThreads() {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            sum += Math.max(0, THREADS.getThreadCpuTime(id));
        }
        return sum;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
