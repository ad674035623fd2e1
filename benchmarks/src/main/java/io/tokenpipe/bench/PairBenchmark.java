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

/** Per token, one thread: write one byte into a pipe and read it back. C: "pair" in tokenpipe_ref.c. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PairBenchmark {

    @State(Scope.Thread)
    public static class TokenPipeState {
        TokenPipeEnd reader;
        TokenPipeEnd writer;

        @Setup
        public void open() {
            TokenPipe pipe = TokenPipe.make().orElseThrow();
            reader = pipe.takeReadEnd();
            writer = pipe.takeWriteEnd();
        }

        @TearDown
        public void close() {
            reader.close();
            writer.close();
        }
    }

    @State(Scope.Thread)
    public static class NioState {
        Pipe pipe;
        final ByteBuffer buffer = Buffers.direct(1);

        @Setup
        public void open() throws IOException {
            pipe = Pipe.open(); // blocking, as Pipe.open() makes it
        }

        @TearDown
        public void close() throws IOException {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    @State(Scope.Thread)
    public static class JnaState {
        final ByteBuffer buffer = Buffers.direct(8);
        final long address = Buffers.address(buffer);
        int readFd;
        int writeFd;

        @Setup
        public void open() {
            check(RawLibc.pipe2(address, RawLibc.O_CLOEXEC) == 0, "pipe2");
            readFd = buffer.getInt(0);
            writeFd = buffer.getInt(4);
        }

        @TearDown
        public void close() {
            RawLibc.close(readFd);
            RawLibc.close(writeFd);
        }
    }

    @State(Scope.Thread)
    public static class FfmState {
        final ByteBuffer buffer = Buffers.direct(8);
        final long address = Buffers.ffmAddress(buffer);
        int readFd;
        int writeFd;

        @Setup
        public void open() {
            check(RawFfm.pipe2(address, RawLibc.O_CLOEXEC) == 0, "pipe2");
            readFd = buffer.getInt(0);
            writeFd = buffer.getInt(4);
        }

        @TearDown
        public void close() {
            RawFfm.close(readFd);
            RawFfm.close(writeFd);
        }
    }

    @Benchmark
    public int tokenpipe(TokenPipeState s) {
        check(s.writer.tokenWrite(7) == 0, "tokenWrite");
        int token = s.reader.tokenRead();
        check(token == 7, "tokenRead");
        return token;
    }

    @Benchmark
    public int nio(NioState s) throws IOException {
        ByteBuffer buffer = s.buffer;
        buffer.clear();
        buffer.put(0, (byte) 7);
        check(s.pipe.sink().write(buffer) == 1, "write");
        buffer.clear();
        check(s.pipe.source().read(buffer) == 1, "read");
        int token = buffer.get(0);
        check(token == 7, "token");
        return token;
    }

    /** The floor: read(2)/write(2) through JNA direct mapping with nothing around them. */
    @Benchmark
    public int jnaDirect(JnaState s) {
        s.buffer.put(0, (byte) 7);
        check(RawLibc.write(s.writeFd, s.address, 1) == 1, "write");
        check(RawLibc.read(s.readFd, s.address, 1) == 1, "read");
        int token = s.buffer.get(0);
        check(token == 7, "token");
        return token;
    }

    /** The floor: read(2)/write(2) through FFM direct mapping with nothing around them. */
    @Benchmark
    public int ffmDirect(FfmState s) {
        s.buffer.put(0, (byte) 7);
        check(RawFfm.write(s.writeFd, s.address, 1) == 1, "write");
        check(RawFfm.read(s.readFd, s.address, 1) == 1, "read");
        int token = s.buffer.get(0);
        check(token == 7, "token");
        return token;
    }
}
