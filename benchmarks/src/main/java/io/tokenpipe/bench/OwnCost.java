package io.tokenpipe.bench;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What tokenpipe itself adds to the system calls it makes: tokenpipe and the bare JNA calls run in the same
 * JVM on the same thread, alternating in 150 ms slices, timed by the thread's CPU time. JMH runs each in its
 * own JVM, and JVMs differ from one another by a few percent here (their heap and descriptor table land
 * differently), which is more than tokenpipe's own share; alternating in one JVM takes that out.
 *
 * <p>Prints {@code owncost <test> <tokenpipe ns> <bare ns>} for "pair" and "create" (medians of the slices).
 * Arguments: the number of slices, and {@code ffm} to compare with bare FFM downcalls instead of JNA (Java 22+,
 * where tokenpipe runs on FFM).
 */
public final class OwnCost {
    private static final long SLICE_NANOS = 150_000_000L;
    private static int sink;

    private OwnCost() {
    }

    public static void main(String[] args) {
        int slices = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        boolean ffm = args.length > 1 && args[1].equals("ffm");
        ByteBuffer buffer = Buffers.direct(8);
        long address = ffm ? Buffers.ffmAddress(buffer) : Buffers.address(buffer);

        TokenPipe pipe = TokenPipe.make().orElseThrow();
        TokenPipeEnd reader = pipe.takeReadEnd();
        TokenPipeEnd writer = pipe.takeWriteEnd();
        Buffers.check((ffm ? RawFfm.pipe2(address, RawLibc.O_CLOEXEC) : RawLibc.pipe2(address, RawLibc.O_CLOEXEC)) == 0,
                "pipe2");
        int readFd = buffer.getInt(0);
        int writeFd = buffer.getInt(4);
        Runnable barePair = ffm ? () -> {
            RawFfm.write(writeFd, address, 1);
            RawFfm.read(readFd, address, 1);
        } : () -> {
            RawLibc.write(writeFd, address, 1);
            RawLibc.read(readFd, address, 1);
        };
        compare("pair", slices, () -> {
            writer.tokenWrite(7);
            sink += reader.tokenRead();
        }, barePair);
        reader.close();
        writer.close();
        if (ffm) {
            RawFfm.close(readFd);
            RawFfm.close(writeFd);
        } else {
            RawLibc.close(readFd);
            RawLibc.close(writeFd);
        }

        Runnable bareCreate = ffm ? () -> {
            RawFfm.pipe2(address, RawLibc.O_CLOEXEC);
            RawFfm.close(buffer.getInt(0));
            RawFfm.close(buffer.getInt(4));
        } : () -> {
            RawLibc.pipe2(address, RawLibc.O_CLOEXEC);
            RawLibc.close(buffer.getInt(0));
            RawLibc.close(buffer.getInt(4));
        };
        compare("create", slices, () -> TokenPipe.make().orElseThrow().close(), bareCreate);
    }

    private static void compare(String test, int slices, Runnable tokenpipe, Runnable bare) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Double> mine = new ArrayList<>();
        List<Double> floor = new ArrayList<>();
        for (int slice = -3; slice < slices; slice++) { // three slices of each to warm up
            double a = slice(threads, tokenpipe);
            double b = slice(threads, bare);
            if (slice >= 0) {
                mine.add(a);
                floor.add(b);
            }
        }
        System.out.printf("owncost %s %.1f %.1f%n", test, median(mine), median(floor));
    }

    private static double slice(ThreadMXBean threads, Runnable op) {
        long cpu = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long ops = 0;
        while (System.nanoTime() - start < SLICE_NANOS) {
            for (int i = 0; i < 100; i++) {
                op.run();
            }
            ops += 100;
        }
        return (threads.getCurrentThreadCpuTime() - cpu) / (double) ops;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
