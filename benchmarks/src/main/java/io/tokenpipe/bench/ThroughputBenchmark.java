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
 * One writer thread writing tokens as fast as it can, one reader thread (the benchmark thread) reading them,
 * one byte per call: the time per token read is the inverse of the throughput. C: "throughput".
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ThroughputBenchmark {

    @State(Scope.Thread)
    public static class TokenPipeState {
        TokenPipeEnd reader;
        TokenPipeEnd writer;
        Thread writerThread;

        @Setup
        public void open() {
            TokenPipe pipe = TokenPipe.make().orElseThrow();
            reader = pipe.takeReadEnd();
            writer = pipe.takeWriteEnd();
            writerThread = Echo.start(() -> {
                while (writer.tokenWrite(3) == 0) {
                    // until the reader is closed (EPIPE)
                }
            });
        }

        @TearDown
        public void close() throws InterruptedException {
            reader.close();
            writerThread.join();
            writer.close();
        }
    }

    @State(Scope.Thread)
    public static class NioState {
        Pipe pipe;
        final ByteBuffer buffer = Buffers.direct(1);
        Thread writerThread;

        @Setup
        public void open() throws IOException {
            pipe = Pipe.open();
            writerThread = Echo.start(() -> {
                ByteBuffer b = Buffers.direct(1);
                b.put(0, (byte) 3);
                try {
                    while (true) {
                        b.clear();
                        pipe.sink().write(b);
                    }
                } catch (IOException brokenPipe) {
                    // the reader was closed
                }
            });
        }

        @TearDown
        public void close() throws IOException, InterruptedException {
            pipe.source().close();
            writerThread.join();
            pipe.sink().close();
        }
    }

    @State(Scope.Thread)
    public static class JnaState {
        final ByteBuffer buffer = Buffers.direct(8);
        final long address = Buffers.address(buffer);
        int readFd;
        int writeFd;
        Thread writerThread;

        @Setup
        public void open() {
            check(RawLibc.pipe2(address, RawLibc.O_CLOEXEC) == 0, "pipe2");
            readFd = buffer.getInt(0);
            writeFd = buffer.getInt(4);
            writerThread = Echo.start(() -> {
                ByteBuffer b = Buffers.direct(1);
                long a = Buffers.address(b);
                b.put(0, (byte) 3);
                while (RawLibc.write(writeFd, a, 1) == 1) {
                    // until EPIPE
                }
            });
        }

        @TearDown
        public void close() throws InterruptedException {
            RawLibc.close(readFd);
            writerThread.join();
            RawLibc.close(writeFd);
        }
    }

    @State(Scope.Thread)
    public static class FfmState {
        final ByteBuffer buffer = Buffers.direct(8);
        final long address = Buffers.ffmAddress(buffer);
        int readFd;
        int writeFd;
        Thread writerThread;

        @Setup
        public void open() {
            check(RawFfm.pipe2(address, RawLibc.O_CLOEXEC) == 0, "pipe2");
            readFd = buffer.getInt(0);
            writeFd = buffer.getInt(4);
            writerThread = Echo.start(() -> {
                ByteBuffer b = Buffers.direct(1);
                long a = Buffers.ffmAddress(b);
                b.put(0, (byte) 3);
                while (RawFfm.write(writeFd, a, 1) == 1) {
                    // until EPIPE
                }
            });
        }

        @TearDown
        public void close() throws InterruptedException {
            RawFfm.close(readFd);
            writerThread.join();
            RawFfm.close(writeFd);
        }
    }

    @Benchmark
    public int tokenpipe(TokenPipeState s) {
        int token = s.reader.tokenRead();
        check(token == 3, "tokenRead");
        return token;
    }

    @Benchmark
    public int nio(NioState s) throws IOException {
        ByteBuffer buffer = s.buffer;
        buffer.clear();
        check(s.pipe.source().read(buffer) == 1, "read");
        return buffer.get(0);
    }

    @Benchmark
    public int jnaDirect(JnaState s) {
        check(RawLibc.read(s.readFd, s.address, 1) == 1, "read");
        return s.buffer.get(0);
    }

    /** The same as jnaDirect through plain FFM downcalls (Java 22+). */
    @Benchmark
    public int ffmDirect(FfmState s) {
        check(RawFfm.read(s.readFd, s.address, 1) == 1, "read");
        return s.buffer.get(0);
    }
}
