package io.tokenpipe.bench;

import io.tokenpipe.TokenPipe;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.Pipe;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.management.ObjectName;

/**
 * Heap retained per open pipe (the pipe and both of its ends), for tokenpipe and java.nio.channels.Pipe.
 *
 * <p>Method: keep {@code count} open pipes reachable from a pre-allocated array and compare, before and
 * after, (1) the heap in use after a full GC (MemoryMXBean) and (2) the JVM's own class histogram of live
 * objects (the {@code GC.class_histogram} diagnostic command, which also forces a full GC). The histogram
 * names what the bytes are; both figures are printed. Descriptors are real: {@code count} pipes need
 * 2 x count open files (run.sh asks for 10,000, or as many as the descriptor limit allows). Run with
 * -XX:+UseSerialGC so "used after GC" is exact.
 *
 * <p>Prints {@code heap <impl> <count> <bytesPerPipeByMemoryBean> <bytesPerPipeOfItsClasses>}
 * and those classes.
 */
public final class HeapPerPipe {
    private HeapPerPipe() {
    }

    public static void main(String[] args) throws Exception {
        String impl = args[0];
        int count = Integer.parseInt(args[1]);
        Object[] pipes = new Object[count];
        // Warm-up outside the measurement: classes, the per-thread context, the Cleaner thread, JNA.
        close(open(impl));
        histogram();
        Map<String, long[]> before = histogram(); // taken first, so both heap figures below include it
        long usedBefore = usedAfterGc();
        for (int i = 0; i < count; i++) {
            pipes[i] = open(impl);
        }
        long usedAfter = usedAfterGc();
        Map<String, long[]> after = histogram();
        // Classes with at least one new object per two pipes are the pipes' own; the rest (a few strings
        // and arrays of the histogram itself) is printed apart as noise.
        long perPipeClassBytes = 0;
        long otherBytes = 0;
        Map<String, long[]> grown = new TreeMap<>();
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            long instances = e.getValue()[0] - b[0];
            long bytes = e.getValue()[1] - b[1];
            if (Math.abs(instances) >= count / 2) {
                perPipeClassBytes += bytes;
                grown.put(e.getKey(), new long[] {instances, bytes});
            } else {
                otherBytes += bytes;
            }
        }
        System.out.printf("heap %s %d %.1f %.1f%n", impl, count, (usedAfter - usedBefore) / (double) count,
                perPipeClassBytes / (double) count);
        for (Map.Entry<String, long[]> e : grown.entrySet()) {
            System.out.printf("  %-55s %5.2f objects %6.1f bytes per pipe%n", e.getKey(),
                    e.getValue()[0] / (double) count, e.getValue()[1] / (double) count);
        }
        System.out.printf("  %-55s %6.1f bytes per pipe%n", "(other classes: noise of the measurement)",
                otherBytes / (double) count);
        for (Object pipe : pipes) {
            close(pipe);
        }
    }

    private static Object open(String impl) throws IOException {
        switch (impl) {
            case "tokenpipe":
                return TokenPipe.make().orElseThrow(() -> new IllegalStateException(
                        "make() failed: " + TokenPipe.lastMakeFailure().orElse("?")));
            case "nio":
                return Pipe.open();
            default:
                throw new IllegalArgumentException("impl " + impl + " is neither tokenpipe nor nio");
        }
    }

    private static void close(Object pipe) throws IOException {
        if (pipe instanceof TokenPipe) {
            ((TokenPipe) pipe).close();
        } else {
            ((Pipe) pipe).source().close();
            ((Pipe) pipe).sink().close();
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** class name -> {instances, bytes} of live objects, from the JVM's GC.class_histogram. */
    private static Map<String, long[]> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        Map<String, long[]> classes = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            // " 1:  12345  678900  java.lang.String (java.base@17)"
            if (f.length >= 4 && f[0].endsWith(":")) {
                classes.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return classes;
    }
}
