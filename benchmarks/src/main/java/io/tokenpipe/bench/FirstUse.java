package io.tokenpipe.bench;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;

/**
 * The first pipe in a fresh JVM: run once per JVM. For tokenpipe this includes loading JNA and its native
 * library and binding libc; for nio, loading the JDK's channel classes. Prints
 * {@code firstuse <impl> <millis of the first make/open> <millis of the JVM's life before it> <CPU millis of
 * the main thread in it> <millis of the first token written and read on that pipe, after it>}: the CPU time is not
 * stretched when other processes hold the CPUs, and the first token shows what is bound at the first call instead.
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
            long tokenStart = System.nanoTime();
            TokenPipeEnd writer = pipe.takeWriteEnd();
            TokenPipeEnd reader = pipe.takeReadEnd();
            if (writer.tokenWrite(1) != 0 || reader.tokenRead() != 1) {
                throw new IllegalStateException("the first token did not pass");
            }
            long tokenNanos = System.nanoTime() - tokenStart; // with the Waker's start: the first call is watched
            writer.close();
            reader.close();
            print(impl, nanos, uptime, cpuNanos, tokenNanos);
        } else if (impl.equals("nio")) {
            Pipe pipe = Pipe.open();
            long nanos = System.nanoTime() - start;
            long cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart;
            long tokenStart = System.nanoTime();
            ByteBuffer token = ByteBuffer.allocate(1).put(0, (byte) 1);
            if (pipe.sink().write(token) != 1 || pipe.source().read(token.clear()) != 1) {
                throw new IllegalStateException("the first token did not pass");
            }
            long tokenNanos = System.nanoTime() - tokenStart;
            pipe.source().close();
            pipe.sink().close();
            print(impl, nanos, uptime, cpuNanos, tokenNanos);
        } else {
            throw new IllegalArgumentException("impl " + impl + " is neither tokenpipe nor nio");
        }
    }

    private static void print(String impl, long nanos, long uptimeMillis, long cpuNanos, long tokenNanos) {
        System.out.printf("firstuse %s %.1f %d %.1f %.1f%n", impl, nanos / 1e6, uptimeMillis, cpuNanos / 1e6,
                tokenNanos / 1e6);
    }
}
