package io.tokenpipe;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.ThreadContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Optional;

/**
 * An OS pipe over which single bytes ("tokens") are sent, between threads or to a child process: the Java
 * counterpart of Bitcoin Core's {@code util/tokenpipe}. Both ends are made close-on-exec.
 *
 * <pre>{@code
 * try (TokenPipe pipe = TokenPipe.make().orElseThrow();
 *      TokenPipeEnd reader = pipe.takeReadEnd();
 *      TokenPipeEnd writer = pipe.takeWriteEnd()) {
 *     writer.tokenWrite(42);
 *     int token = reader.tokenRead(); // 42
 * }
 * }</pre>
 *
 * <p>Thread safety: all methods may be called from any thread; each end may be taken exactly once.
 */
public final class TokenPipe implements AutoCloseable {
    private static final int READ_TAKEN = 1;
    private static final int WRITE_TAKEN = 2;
    private static final int CLOSED = 4;
    private static final boolean LEAK_DETECTION = Boolean.getBoolean("tokenpipe.leakDetection");
    private static final ThreadLocal<MakeFailure> LAST_MAKE_FAILURE = new ThreadLocal<>();
    private static final VarHandle TAKEN;

    static {
        try {
            TAKEN = MethodHandles.lookup().findVarHandle(TokenPipe.class, "flags", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        // A make() failing with EMFILE could not open a class file: load what its failure path uses now.
        LAST_MAKE_FAILURE.set(new MakeFailure(0, Errno.name(0)));
        LAST_MAKE_FAILURE.remove();
    }

    private final TokenPipeEnd readEnd;
    private final TokenPipeEnd writeEnd;
    /** READ_TAKEN, WRITE_TAKEN, CLOSED bits. */
    private volatile int flags;

    private TokenPipe(TokenPipeEnd readEnd, TokenPipeEnd writeEnd) {
        this.readEnd = readEnd;
        this.writeEnd = writeEnd;
    }

    /**
     * Creates a pipe, close-on-exec ({@code pipe2(O_CLOEXEC)}; {@code pipe} + {@code fcntl} where pipe2 is
     * missing; {@code _pipe(_O_NOINHERIT)} on Windows).
     *
     * @return the pipe with both ends open, or empty when the OS refused (for example EMFILE: too many open
     *         files) or this platform is not supported; {@link #lastMakeErrno()} and {@link #lastMakeFailure()}
     *         then say why
     */
    public static Optional<TokenPipe> make() {
        NativeIo io = NativeIo.get();
        if (io == null) {
            LAST_MAKE_FAILURE.set(new MakeFailure(0, "token pipes are not available: " + NativeIo.unavailableReason()));
            return Optional.empty();
        }
        ThreadContext context = ThreadContext.current();
        int errno = io.pipe(context.scratch, context.scratchAddress, false);
        if (errno != 0) {
            LAST_MAKE_FAILURE.set(new MakeFailure(errno, "pipe() failed: " + Errno.describe(errno)));
            return Optional.empty();
        }
        int readFd = context.scratchInt(0);
        int writeFd = context.scratchInt(4);
        TokenPipeEnd readEnd = null;
        TokenPipeEnd writeEnd = null;
        try {
            if (LAST_MAKE_FAILURE.get() != null) {
                LAST_MAKE_FAILURE.remove();
            }
            Throwable origin = origin();
            readEnd = new TokenPipeEnd(readFd, origin);
            writeEnd = new TokenPipeEnd(writeFd, origin);
            return Optional.of(new TokenPipe(readEnd, writeEnd));
        } catch (Throwable failed) { // OutOfMemoryError: whatever pipe2 made and nobody owns yet is closed here
            closeUnowned(io, readEnd, readFd);
            closeUnowned(io, writeEnd, writeFd);
            throw failed;
        }
    }

    /**
     * Closes {@code fd} through its end if it got one, else directly: an end's constructor either registers the
     * descriptor's handle and returns, or throws with nothing registered. Allocates nothing.
     */
    private static void closeUnowned(NativeIo io, TokenPipeEnd end, int fd) {
        if (end != null) {
            end.close();
        } else {
            io.close(fd);
        }
    }

    /**
     * The errno of the calling thread's last {@link #make()} that returned empty (EMFILE 24, ENFILE 23 ...);
     * 0 when its last make() succeeded, when it never called make(), or when the platform is not supported.
     */
    public static int lastMakeErrno() {
        MakeFailure failure = LAST_MAKE_FAILURE.get();
        return failure == null ? 0 : failure.errno;
    }

    /**
     * Why the calling thread's last {@link #make()} returned empty, as text for people ("pipe() failed: EMFILE
     * (Too many open files)"); empty when its last make() succeeded or it never called make().
     */
    public static Optional<String> lastMakeFailure() {
        MakeFailure failure = LAST_MAKE_FAILURE.get();
        return failure == null ? Optional.empty() : Optional.of(failure.message);
    }

    /**
     * Moves the read end out of this pipe: the caller owns it and must close it.
     *
     * @return the read end on the first call; a closed end (every call returns TS_ERR) on later calls
     */
    public TokenPipeEnd takeReadEnd() {
        return take(READ_TAKEN, readEnd);
    }

    /**
     * Moves the write end out of this pipe: the caller owns it and must close it.
     *
     * @return the write end on the first call; a closed end (every call returns TS_ERR) on later calls
     */
    public TokenPipeEnd takeWriteEnd() {
        return take(WRITE_TAKEN, writeEnd);
    }

    private TokenPipeEnd take(int bit, TokenPipeEnd end) {
        int before = (int) TAKEN.getAndBitwiseOr(this, bit);
        return (before & bit) == 0 ? end : TokenPipeEnd.closedEnd();
    }

    /**
     * Closes the ends that were not taken (a later take then returns them closed). Idempotent; when it returns,
     * their descriptors are closed, but for the exception {@link TokenPipeEnd#close()} describes: a thread that
     * blocks the wake-up signal only after its first token call and cannot be woken from the call it is in is not
     * waited for, and close(2) of that descriptor is deferred until that call returns. One atomic step decides,
     * against a take racing on another thread, which ends are taken and which are closed.
     */
    @Override
    public void close() {
        int before = (int) TAKEN.getAndBitwiseOr(this, CLOSED);
        if ((before & READ_TAKEN) == 0) {
            readEnd.close();
        }
        if ((before & WRITE_TAKEN) == 0) {
            writeEnd.close();
        }
    }

    /**
     * Whether the read end's descriptor is open, taken or not: false once it was closed (by whoever holds it, by
     * {@link #close()} while not taken, by {@link #closeAllEnds()}) or handed to a child process.
     */
    public boolean isReadEndOpen() {
        return readEnd.isOpen();
    }

    /** As {@link #isReadEndOpen()}, for the write end. */
    public boolean isWriteEndOpen() {
        return writeEnd.isOpen();
    }

    /**
     * Closes both ends, the taken ones too: for an owner that lends a pipe's ends out and must get every
     * descriptor back at the end, such as a pool or a framework closing what an application left open at
     * shutdown. Whoever holds a taken end then gets {@link TokenPipeEnd#TS_ERR} (EBADF) from every call, calls
     * blocked on it return TS_ERR, and its own {@code close()} does nothing more; each descriptor is still
     * closed exactly once, never while a call on it is in flight. Idempotent; later takes return closed ends.
     */
    public void closeAllEnds() {
        TAKEN.getAndBitwiseOr(this, CLOSED);
        readEnd.close();
        writeEnd.close();
    }

    /** "TokenPipe[read=taken, write=open]": for each end, taken, open or closed. */
    @Override
    public String toString() {
        int t = flags;
        return "TokenPipe[read=" + describe(readEnd, (t & READ_TAKEN) != 0) + ", write="
                + describe(writeEnd, (t & WRITE_TAKEN) != 0) + "]";
    }

    private static String describe(TokenPipeEnd end, boolean taken) {
        return taken ? "taken" : end.isOpen() ? "open" : "closed";
    }

    /** Where a pipe is made, when leak detection asks for it. */
    static Throwable origin() {
        return LEAK_DETECTION ? new Throwable("token pipe made here") : null;
    }

    private static final class MakeFailure {
        final int errno;
        final String message;

        MakeFailure(int errno, String message) {
            this.errno = errno;
            this.message = message;
        }
    }
}
