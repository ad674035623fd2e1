package io.tokenpipe.bench;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;

/**
 * Two or more builds of tokenpipe-core in one JVM, each in a class loader of its own, alternating in short slices
 * with the bare system calls, timed by thread CPU time: a before/after comparison that a shared, drifting machine
 * does not blur as much as JMH runs in separate JVMs do (the slices of all versions see the same moments of the
 * machine, and CPU time leaves out what other processes take).
 *
 * <pre>
 * java [--enable-native-access=ALL-UNNAMED] -cp benchmarks/target/classes:$(cat benchmarks/target/benchmark.classpath) \
 *     io.tokenpipe.bench.SideBySide SLICES TEST NAME=CORE.jar ... [bare]
 * </pre>
 * TEST is {@code pair} (tokenWrite + tokenRead, one thread), {@code create} ({@code make()} + {@code close()}) or
 * {@code pingpong} (round trip to an echo thread; CPU time of both threads: run it on one CPU). {@code bare} adds
 * the same system calls through FFM on Java 22+ (JNA before) with nothing around them. Prints, per version, the
 * median ns per operation and its ratio to the first version (median and range of the per-round ratios).
 */
public final class SideBySide {
    private static final long SLICE_NANOS = 100_000_000L;
    private static final int WARM_UP_ROUNDS = 5;

    private SideBySide() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        String test = args[1];
        List<String> names = new ArrayList<>();
        List<IntUnaryOperator> drivers = new ArrayList<>();
        URL classes = SideBySide.class.getProtectionDomain().getCodeSource().getLocation();
        boolean ffm = Runtime.version().feature() >= 22;
        for (int i = 2; i < args.length; i++) {
            if (args[i].equals("bare")) {
                names.add(ffm ? "bare FFM" : "bare JNA");
                drivers.add(SideBySideDrivers.bare(test, ffm));
                continue;
            }
            String[] nameAndJar = args[i].split("=", 2);
            ClassLoader loader = new ChildFirst(new URL[] {jar(nameAndJar[1]), classes});
            names.add(nameAndJar[0]);
            drivers.add((IntUnaryOperator) Class.forName(SideBySideDrivers.class.getName(), true, loader)
                    .getMethod("tokenpipe", String.class).invoke(null, test));
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] perOp = new double[drivers.size()][rounds];
        for (int round = -WARM_UP_ROUNDS; round < rounds; round++) {
            for (int d = 0; d < drivers.size(); d++) {
                // rotate the order, so that no version always runs right after the same other one
                int which = Math.floorMod(d + round, drivers.size());
                double ns = slice(threads, drivers.get(which));
                if (round >= 0) {
                    perOp[which][round] = ns;
                }
            }
        }
        System.out.printf("sidebyside %s, %d rounds of %d ms each, Java %s%n", test, rounds, SLICE_NANOS / 1_000_000,
                Runtime.version());
        for (int d = 0; d < drivers.size(); d++) {
            List<Double> ratios = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                ratios.add(perOp[d][r] / perOp[0][r]);
            }
            Collections.sort(ratios);
            System.out.printf("  %-12s %8.1f ns   / %s: %.3f (%.3f-%.3f, middle half %.3f-%.3f)%n", names.get(d),
                    median(perOp[d]), names.get(0), median(ratios), ratios.get(0), ratios.get(rounds - 1),
                    ratios.get(rounds / 4), ratios.get(rounds - 1 - rounds / 4));
        }
    }

    private static URL jar(String path) throws MalformedURLException {
        return new File(path).toURI().toURL();
    }

    /** CPU time per operation of one slice: the calling thread's, plus the echo thread's for pingpong. */
    private static double slice(ThreadMXBean threads, IntUnaryOperator driver) {
        long helper = driver instanceof LongSupplier ? ((LongSupplier) driver).getAsLong() : -1;
        long cpu = threads.getCurrentThreadCpuTime() + (helper < 0 ? 0 : threads.getThreadCpuTime(helper));
        long start = System.nanoTime();
        long ops = 0;
        int sink = 0;
        while (System.nanoTime() - start < SLICE_NANOS) {
            sink += driver.applyAsInt(200);
            ops += 200;
        }
        long used = threads.getCurrentThreadCpuTime() + (helper < 0 ? 0 : threads.getThreadCpuTime(helper)) - cpu;
        if (sink == Integer.MIN_VALUE) {
            System.out.print("");
        }
        return used / (double) ops;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double median(List<Double> sorted) {
        return sorted.get(sorted.size() / 2);
    }

    /** Loads tokenpipe (and the drivers that call it) from its own URLs first; everything else from the parent. */
    private static final class ChildFirst extends URLClassLoader {
        ChildFirst(URL[] urls) {
            super(urls, SideBySide.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            boolean own = name.startsWith("io.tokenpipe.") && !name.startsWith("io.tokenpipe.bench.")
                    || name.startsWith(SideBySideDrivers.class.getName());
            if (!own) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> loaded = findLoadedClass(name);
                if (loaded == null) {
                    loaded = findClass(name);
                }
                if (resolve) {
                    resolveClass(loaded);
                }
                return loaded;
            }
        }
    }
}
