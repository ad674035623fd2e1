package io.tokenpipe.bench;

import static io.tokenpipe.bench.Buffers.check;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Round trip between two threads: the benchmark thread writes a token into "ping" and waits for it on
 * "pong"; an echo thread reads "ping" and writes "pong". Every read waits, so this measures the wait path.
 * run.sh pins the JVM to one CPU (taskset -c 0): cross-CPU wake-ups on a VM measure the hypervisor.
 * C: "pingpong" in tokenpipe_ref.c.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PingPongBenchmark {

    @State(Scope.Thread)
    public static class TokenPipeState {
        TokenPipeEnd pingReader;
        TokenPipeEnd pingWriter;
        TokenPipeEnd pongReader;
        TokenPipeEnd pongWriter;
        Thread echo;

        @Setup
        public void open() {
            TokenPipe ping = TokenPipe.make().orElseThrow();
            TokenPipe pong = TokenPipe.make().orElseThrow();
            pingReader = ping.takeReadEnd();
            pingWriter = ping.takeWriteEnd();
            pongReader = pong.takeReadEnd();
            pongWriter = pong.takeWriteEnd();
            echo = Echo.start(() -> {
                while (true) {
                    int token = pingReader.tokenRead();
                    if (token < 0 || pongWriter.tokenWrite(token) != 0) {
                        return;
                    }
                }
            });
        }

        @TearDown
        public void close() throws InterruptedException {
            pingWriter.close(); // the echo thread reads TS_EOS and ends
            echo.join();
            pingReader.close();
            pongReader.close();
            pongWriter.close();
        }
    }

    @State(Scope.Thread)
    public static class NioState {
        Pipe ping;
        Pipe pong;
        final ByteBuffer buffer = Buffers.direct(1);
        Thread echo;

        @Setup
        public void open() throws IOException {
            ping = Pipe.open();
            pong = Pipe.open();
            echo = Echo.start(() -> {
                ByteBuffer b = Buffers.direct(1);
                try {
                    while (true) {
                        b.clear();
                        if (ping.source().read(b) != 1) {
                            return;
                        }
                        b.flip();
                        pong.sink().write(b);
                    }
                } catch (IOException closed) {
                    // teardown
                }
            });
        }

        @TearDown
        public void close() throws IOException, InterruptedException {
            ping.sink().close();
            echo.join();
            ping.source().close();
            pong.source().close();
            pong.sink().close();
        }
    }

    @State(Scope.Thread)
    public static class JnaState {
        final ByteBuffer buffer = Buffers.direct(16);
        final long address = Buffers.address(buffer);
        int pingReader;
        int pingWriter;
        int pongReader;
        int pongWriter;
        Thread echo;

        @Setup
        public void open() {
            check(RawLibc.pipe2(address, RawLibc.O_CLOEXEC) == 0, "pipe2");
            check(RawLibc.pipe2(address + 8, RawLibc.O_CLOEXEC) == 0, "pipe2");
            pingReader = buffer.getInt(0);
            pingWriter = buffer.getInt(4);
            pongReader = buffer.getInt(8);
            pongWriter = buffer.getInt(12);
            echo = Echo.start(() -> {
                ByteBuffer b = Buffers.direct(1);
                long a = Buffers.address(b);
                while (RawLibc.read(pingReader, a, 1) == 1 && RawLibc.write(pongWriter, a, 1) == 1) {
                    // echo
                }
            });
        }

        @TearDown
        public void close() throws InterruptedException {
            RawLibc.close(pingWriter);
            echo.join();
            RawLibc.close(pingReader);
            RawLibc.close(pongReader);
            RawLibc.close(pongWriter);
        }
    }

    @State(Scope.Thread)
    public static class FfmState {
        final ByteBuffer buffer = Buffers.direct(16);
        final long address = Buffers.ffmAddress(buffer);
        int pingReader;
        int pingWriter;
        int pongReader;
        int pongWriter;
        Thread echo;

        @Setup
        public void open() {
            check(RawFfm.pipe2(address, RawLibc.O_CLOEXEC) == 0, "pipe2");
            check(RawFfm.pipe2(address + 8, RawLibc.O_CLOEXEC) == 0, "pipe2");
            pingReader = buffer.getInt(0);
            pingWriter = buffer.getInt(4);
            pongReader = buffer.getInt(8);
            pongWriter = buffer.getInt(12);
            echo = Echo.start(() -> {
                ByteBuffer b = Buffers.direct(1);
                long a = Buffers.ffmAddress(b);
                while (RawFfm.read(pingReader, a, 1) == 1 && RawFfm.write(pongWriter, a, 1) == 1) {
                    // echo
                }
            });
        }

        @TearDown
        public void close() throws InterruptedException {
            RawFfm.close(pingWriter);
            echo.join();
            RawFfm.close(pingReader);
            RawFfm.close(pongReader);
            RawFfm.close(pongWriter);
        }
    }

    @Benchmark
    public int tokenpipe(TokenPipeState s) {
        check(s.pingWriter.tokenWrite(1) == 0, "tokenWrite");
        int token = s.pongReader.tokenRead();
        check(token == 1, "tokenRead");
        return token;
    }

    @Benchmark
    public int nio(NioState s) throws IOException {
        ByteBuffer buffer = s.buffer;
        buffer.clear();
        buffer.put(0, (byte) 1);
        check(s.ping.sink().write(buffer) == 1, "write");
        buffer.clear();
        check(s.pong.source().read(buffer) == 1, "read");
        return buffer.get(0);
    }

    /** The floor: blocking read(2) through JNA, which nothing could wake on close. */
    @Benchmark
    public int jnaDirect(JnaState s) {
        s.buffer.put(0, (byte) 1);
        check(RawLibc.write(s.pingWriter, s.address, 1) == 1, "write");
        check(RawLibc.read(s.pongReader, s.address, 1) == 1, "read");
        return s.buffer.get(0);
    }

    /** The floor: blocking read(2) through FFM, which nothing could wake on close. */
    @Benchmark
    public int ffmDirect(FfmState s) {
        s.buffer.put(0, (byte) 1);
        check(RawFfm.write(s.pingWriter, s.address, 1) == 1, "write");
        check(RawFfm.read(s.pongReader, s.address, 1) == 1, "read");
        return s.buffer.get(0);
    }
}
