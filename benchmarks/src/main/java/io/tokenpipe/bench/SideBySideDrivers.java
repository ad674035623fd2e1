package io.tokenpipe.bench;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import java.nio.ByteBuffer;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;

/**
 * The operations {@link SideBySide} times, {@code applyAsInt(n)} doing one n times. Loaded once per tokenpipe build,
 * each copy in that build's class loader, so each links to its own tokenpipe and gets its own JIT profile.
 */
public final class SideBySideDrivers {
    private SideBySideDrivers() {
    }

    /** The driver of {@code test} over the tokenpipe this class was loaded with. */
    public static IntUnaryOperator tokenpipe(String test) {
        switch (test) {
            case "pair":
                return new Pair();
            case "create":
                return n -> {
                    for (int i = 0; i < n; i++) {
                        TokenPipe.make().orElseThrow().close();
                    }
                    return n;
                };
            case "pingpong":
                return new PingPong();
            default:
                throw new IllegalArgumentException("test " + test + ": use pair, create or pingpong");
        }
    }

    /** The same system calls with nothing around them: FFM downcalls ({@code ffm}) or JNA direct mapping. */
    static IntUnaryOperator bare(String test, boolean ffm) {
        ByteBuffer buffer = Buffers.direct(16);
        long address = ffm ? Buffers.ffmAddress(buffer) : Buffers.address(buffer);
        switch (test) {
            case "pair": {
                int[] fds = barePipe(ffm, address, buffer);
                return ffm ? n -> {
                    int sum = 0;
                    for (int i = 0; i < n; i++) {
                        RawFfm.write(fds[1], address, 1);
                        sum += (int) RawFfm.read(fds[0], address, 1);
                    }
                    return sum;
                } : n -> {
                    int sum = 0;
                    for (int i = 0; i < n; i++) {
                        RawLibc.write(fds[1], address, 1);
                        sum += (int) RawLibc.read(fds[0], address, 1);
                    }
                    return sum;
                };
            }
            case "create":
                return ffm ? n -> {
                    for (int i = 0; i < n; i++) {
                        RawFfm.pipe2(address, RawLibc.O_CLOEXEC);
                        RawFfm.close(buffer.getInt(0));
                        RawFfm.close(buffer.getInt(4));
                    }
                    return n;
                } : n -> {
                    for (int i = 0; i < n; i++) {
                        RawLibc.pipe2(address, RawLibc.O_CLOEXEC);
                        RawLibc.close(buffer.getInt(0));
                        RawLibc.close(buffer.getInt(4));
                    }
                    return n;
                };
            case "pingpong":
                return new BarePingPong(ffm);
            default:
                throw new IllegalArgumentException("test " + test + ": use pair, create or pingpong");
        }
    }

    private static int[] barePipe(boolean ffm, long address, ByteBuffer buffer) {
        Buffers.check((ffm ? RawFfm.pipe2(address, RawLibc.O_CLOEXEC) : RawLibc.pipe2(address, RawLibc.O_CLOEXEC)) == 0,
                "pipe2");
        return new int[] {buffer.getInt(0), buffer.getInt(4)};
    }

    private static final class Pair implements IntUnaryOperator {
        private final TokenPipeEnd reader;
        private final TokenPipeEnd writer;

        Pair() {
            TokenPipe pipe = TokenPipe.make().orElseThrow();
            reader = pipe.takeReadEnd();
            writer = pipe.takeWriteEnd();
        }

        @Override
        public int applyAsInt(int n) {
            int sum = 0;
            for (int i = 0; i < n; i++) {
                writer.tokenWrite(7);
                sum += reader.tokenRead();
            }
            return sum;
        }
    }

    private static final class PingPong implements IntUnaryOperator, LongSupplier {
        private final TokenPipeEnd pingWriter;
        private final TokenPipeEnd pongReader;
        private final Thread echo;

        PingPong() {
            TokenPipe ping = TokenPipe.make().orElseThrow();
            TokenPipe pong = TokenPipe.make().orElseThrow();
            TokenPipeEnd pingReader = ping.takeReadEnd();
            TokenPipeEnd pongWriter = pong.takeWriteEnd();
            pingWriter = ping.takeWriteEnd();
            pongReader = pong.takeReadEnd();
            // not Echo.start: this class is loaded by another loader than Echo, so it cannot call package-private code
            echo = new Thread(() -> {
                while (true) {
                    int token = pingReader.tokenRead();
                    if (token < 0 || pongWriter.tokenWrite(token) != 0) {
                        return;
                    }
                }
            }, "bench-helper");
            echo.setDaemon(true);
            echo.start();
        }

        @Override
        public int applyAsInt(int n) {
            int sum = 0;
            for (int i = 0; i < n; i++) {
                pingWriter.tokenWrite(1);
                sum += pongReader.tokenRead();
            }
            return sum;
        }

        @Override
        public long getAsLong() {
            return echo.getId();
        }
    }

    private static final class BarePingPong implements IntUnaryOperator, LongSupplier {
        private final boolean ffm;
        private final long address;
        private final int pingWriter;
        private final int pongReader;
        private final Thread echo;

        BarePingPong(boolean ffm) {
            this.ffm = ffm;
            ByteBuffer buffer = Buffers.direct(16);
            address = ffm ? Buffers.ffmAddress(buffer) : Buffers.address(buffer);
            int[] ping = barePipe(ffm, address, buffer);
            int[] pong = barePipe(ffm, address, buffer);
            pingWriter = ping[1];
            pongReader = pong[0];
            echo = Echo.start(() -> {
                ByteBuffer b = Buffers.direct(1);
                long a = ffm ? Buffers.ffmAddress(b) : Buffers.address(b);
                if (ffm) {
                    while (RawFfm.read(ping[0], a, 1) == 1 && RawFfm.write(pong[1], a, 1) == 1) {
                        // echo
                    }
                } else {
                    while (RawLibc.read(ping[0], a, 1) == 1 && RawLibc.write(pong[1], a, 1) == 1) {
                        // echo
                    }
                }
            });
        }

        @Override
        public int applyAsInt(int n) {
            int sum = 0;
            for (int i = 0; i < n; i++) {
                if (ffm) {
                    RawFfm.write(pingWriter, address, 1);
                    sum += (int) RawFfm.read(pongReader, address, 1);
                } else {
                    RawLibc.write(pingWriter, address, 1);
                    sum += (int) RawLibc.read(pongReader, address, 1);
                }
            }
            return sum;
        }

        @Override
        public long getAsLong() {
            return echo.getId();
        }
    }
}
