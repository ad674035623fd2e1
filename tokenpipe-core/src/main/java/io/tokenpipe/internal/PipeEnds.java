package io.tokenpipe.internal;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import java.util.function.Function;

/**
 * Both ends of a pipe, taken or not, for the Spring Boot starter's factory, which must close at shutdown
 * every end still open. Not API: the public TokenPipe only gives an end away once.
 */
public final class PipeEnds {
    private static volatile Function<TokenPipe, TokenPipeEnd> readEnd;
    private static volatile Function<TokenPipe, TokenPipeEnd> writeEnd;

    private PipeEnds() {
    }

    /** Called once by TokenPipe's static initializer. */
    public static void install(Function<TokenPipe, TokenPipeEnd> read, Function<TokenPipe, TokenPipeEnd> write) {
        readEnd = read;
        writeEnd = write;
    }

    public static TokenPipeEnd readEnd(TokenPipe pipe) {
        return readEnd.apply(pipe);
    }

    public static TokenPipeEnd writeEnd(TokenPipe pipe) {
        return writeEnd.apply(pipe);
    }
}
