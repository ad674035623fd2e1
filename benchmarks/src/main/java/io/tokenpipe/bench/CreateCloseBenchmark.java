package io.tokenpipe.bench;

import static io.tokenpipe.bench.Buffers.check;

import io.tokenpipe.TokenPipe;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Make a pipe and close both ends. C: "create" (pipe2(O_CLOEXEC) + two close). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CreateCloseBenchmark {

    @State(Scope.Thread)
    public static class JnaState {
        final ByteBuffer buffer = Buffers.direct(8);
        final long address = Buffers.address(buffer);
    }

    @State(Scope.Thread)
    public static class FfmState {
        final ByteBuffer buffer = Buffers.direct(8);
        final long address = Buffers.ffmAddress(buffer);
    }

    @Benchmark
    public boolean tokenpipe() {
        TokenPipe pipe = TokenPipe.make().orElseThrow();
        pipe.close();
        return pipe.hashCode() == 0;
    }

    @Benchmark
    public boolean nio() throws IOException {
        Pipe pipe = Pipe.open();
        pipe.source().close();
        pipe.sink().close();
        return pipe.hashCode() == 0;
    }

    @Benchmark
    public int jnaDirect(JnaState s) {
        check(RawLibc.pipe2(s.address, RawLibc.O_CLOEXEC) == 0, "pipe2");
        int read = s.buffer.getInt(0);
        RawLibc.close(read);
        RawLibc.close(s.buffer.getInt(4));
        return read;
    }

    /** The same as jnaDirect through plain FFM downcalls (Java 22+). */
    @Benchmark
    public int ffmDirect(FfmState s) {
        check(RawFfm.pipe2(s.address, RawLibc.O_CLOEXEC) == 0, "pipe2");
        int read = s.buffer.getInt(0);
        RawFfm.close(read);
        RawFfm.close(s.buffer.getInt(4));
        return read;
    }
}
