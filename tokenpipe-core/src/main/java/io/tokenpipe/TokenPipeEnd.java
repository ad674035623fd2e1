package io.tokenpipe;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.FdHandle;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.ThreadContext;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.Objects;

/**
 * One end of a token pipe: reads or writes single bytes ("tokens", 0..255).
 *
 * <p>Thread safety: every method may be called from any thread at any time, also on an end that other
 * threads use. Concurrent writers never interleave or lose tokens; concurrent readers each get distinct
 * tokens; {@link #close()} from another thread wakes calls blocked on this end, which return
 * {@link #TS_ERR} (for the one exception, a thread that blocks the wake-up signal only after its first call, see
 * {@link #close()}). An end that is garbage-collected without {@code close()} is closed by a cleaner thread (run
 * with {@code -Dtokenpipe.leakDetection=true} to have that logged with where the pipe was made).
 */
public final class TokenPipeEnd implements AutoCloseable {
    /** I/O error, or a call on a closed end; see {@link #lastErrno()}. */
    public static final int TS_ERR = FdHandle.TS_ERR;
    /** End of stream: no writer is left (read). */
    public static final int TS_EOS = FdHandle.TS_EOS;
    /** No token within the timeout of {@link #tokenRead(Duration)}, and none there when the wait ended. */
    public static final int TS_TIMEOUT = FdHandle.TS_TIMEOUT;

    /**
     * Owns the descriptor, and is the phantom reference by which an end dropped without close() gets it closed;
     * it also keeps {@link #lastErrno()}. An end that never had a descriptor (the result of a second take) has a
     * handle without one ({@link FdHandle#withoutDescriptor()}).
     */
    private final FdHandle handle;

    /** An end owning a descriptor the kernel has just made. */
    TokenPipeEnd(int fd, Throwable origin) {
        this.handle = FdHandle.ofNewDescriptor(fd, this, origin);
    }

    /** An end claiming an inherited descriptor; throws IllegalArgumentException when a live end owns it. */
    private TokenPipeEnd(int fd, Throwable origin, boolean adopted) {
        this.handle = FdHandle.ofAdopted(fd, this, origin);
    }

    private TokenPipeEnd() {
        this.handle = FdHandle.withoutDescriptor();
    }

    /** An end that is closed and never had a descriptor: every call returns {@link #TS_ERR} (EBADF). */
    static TokenPipeEnd closedEnd() {
        return new TokenPipeEnd();
    }

    /**
     * Takes ownership of a descriptor this process inherited, such as the notify descriptor a parent passed
     * at fd 3. The descriptor must be open and a pipe or FIFO; it is marked close-on-exec (so it is not passed
     * on to further children) and is otherwise left as it is: its blocking mode, shared with the parent, is
     * never changed.
     *
     * <p>What adopt can tell: whether a live end of this library owns the descriptor (a process-wide registry,
     * checked and claimed in one atomic step, so of two threads adopting one descriptor exactly one succeeds), and
     * whether it is close-on-exec, which an inherited descriptor never is. What it cannot tell: whether other code in
     * this process also uses the descriptor. A {@link java.lang.Process}'s pipes, for example, are not
     * close-on-exec either; adopting one would make the JDK and this end both close it. Adopt only numbers that were
     * handed to this process for that purpose.
     *
     * @param fd the descriptor number, 3 or above
     * @return an open end owning {@code fd}; closing it closes {@code fd}
     * @throws IllegalArgumentException naming the fd and the reason, when it is negative, 0-2, owned by a live end
     *         already, not open, not a pipe/FIFO (a regular file, a socket, a terminal), or close-on-exec (not
     *         inherited: this process opened it itself)
     * @throws UnsupportedOperationException when this platform cannot make token pipes
     */
    public static TokenPipeEnd adopt(int fd) {
        NativeIo io = NativeIo.get();
        if (io == null) {
            throw new UnsupportedOperationException("cannot adopt fd " + fd + ": " + NativeIo.unavailableReason());
        }
        io.checkAdoptableNumber(fd);
        TokenPipeEnd end = new TokenPipeEnd(fd, TokenPipe.origin(), true); // claims it: the checks below are ours
        try {
            io.adopt(fd);
            end.handle.confirmAdoption();
        } catch (Throwable unfit) { // also an OutOfMemoryError: a claim left behind would close fd under its owner
            end.handle.abandonClaim();
            throw unfit;
        }
        return end;
    }

    /**
     * Gives up this end's ownership of its descriptor and returns the descriptor's number, for a hand-over
     * inside this process to code that {@link #adopt adopts} it: a test that plays the parent process, say,
     * passing a write end to an application in the same JVM as its notify descriptor.
     *
     * <p>Waits, as {@link #close()} does, until no call is in flight on this end (calls blocked on it return
     * {@link #TS_ERR}, EBADF), with the same exception: a thread that blocks the wake-up signal only after its
     * first token call, and cannot be woken from the call it is in, is not waited for; that call goes on, on the
     * descriptor that is then the caller's, until it returns by itself (a token, end of stream, or the peer
     * closing its end). Afterwards this end is closed (every call returns TS_ERR, {@link #isOpen()} is
     * false) but the descriptor stays open, and the caller is responsible for it: adopt it, or it leaks; it is no
     * longer closed when this end is garbage-collected. Its close-on-exec flag ({@code FD_CLOEXEC}) is cleared,
     * because {@link #adopt} accepts only descriptors in the state an inherited one is in: until it is adopted
     * again, a child started with fork and exec (ProcessBuilder, Runtime.exec) inherits it; a
     * {@link ChildProcess} does not, it closes every descriptor it was not given. Nothing else changes: not
     * its blocking mode, not the pipe. On Windows the descriptor is returned as it is.
     *
     * @return the descriptor number, 3 or above
     * @throws IllegalStateException if this end is closed, was handed to a child process or was detached
     *         before, or close-on-exec cannot be cleared (then the descriptor is closed)
     */
    public int detach() {
        int fd = handle.beginHandOff(); // -1 also for an end that never had a descriptor
        if (fd < 0) {
            throw new IllegalStateException("cannot detach " + this + ": the end is closed (closed, handed to a"
                    + " child process, or detached before)");
        }
        int errno = NativeIo.get().clearCloseOnExec(fd);
        if (errno != 0) {
            handle.finishHandOff(); // closes it: a descriptor nobody can adopt must not leak
            throw new IllegalStateException("cannot detach fd " + fd + ": clearing close-on-exec failed: "
                    + Errno.describe(errno));
        }
        handle.finishWithoutClose();
        Reference.reachabilityFence(this);
        return fd;
    }

    /**
     * Writes one token. Blocks only while the pipe is full (64 KiB of unread tokens on Linux).
     *
     * @param token 0..255
     * @return 0 when written; {@link #TS_ERR} on error (EPIPE: no reader is left; EBADF: this end is closed;
     *         EINTR: the thread was interrupted before or while it waited); {@link #TS_EOS} if nothing could be
     *         written. Never EINTR from a signal: interrupted system calls are retried.
     * @throws IllegalArgumentException if {@code token} is outside 0..255
     */
    public int tokenWrite(int token) {
        if ((token & ~0xFF) != 0) {
            throw new IllegalArgumentException("token " + token + " is outside 0..255: a token is one byte");
        }
        if (handle.hasNoDescriptor()) {
            return closedError();
        }
        ThreadContext context = ThreadContext.current();
        int result = handle.write(context, token);
        if (result == TS_ERR) {
            handle.setLastErrno(context.errno());
        }
        Reference.reachabilityFence(this); // the leak guard must not close the fd while the call runs
        return result;
    }

    /**
     * Reads one token, waiting as long as it takes.
     *
     * @return the token 0..255; {@link #TS_EOS} when every write end is closed and nothing is left to read;
     *         {@link #TS_ERR} on error (EBADF: this end is or was closed, also by another thread while this one
     *         waited; EINTR: the thread was interrupted before or while it waited, and its interrupt status is
     *         left set). Never EINTR from a signal: interrupted system calls are retried.
     */
    public int tokenRead() {
        if (handle.hasNoDescriptor()) {
            return closedError();
        }
        ThreadContext context = ThreadContext.current();
        int result = handle.read(context);
        if (result == TS_ERR) {
            handle.setLastErrno(context.errno());
        }
        Reference.reachabilityFence(this);
        return result;
    }

    /**
     * Reads one token, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait; {@link Duration#ZERO} only takes a token that is already there (POSIX, on a
     *        pipe this process made: it looks with poll(2) first and reads only what is there, so it needs no
     *        wake-up signal, unless another reader of this end takes the token between the look and the read; an
     *        adopted descriptor, which may be a named FIFO, is read as with any timeout)
     * @return as {@link #tokenRead()}, or {@link #TS_TIMEOUT} when no token arrived in time; a token (or end of
     *         stream) that is there when the wait ends is returned, also when the wake-up that ends it comes after
     *         the deadline (the process was stopped or not scheduled meanwhile)
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public int tokenRead(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout " + timeout + " is negative: use Duration.ZERO or more");
        }
        if (handle.hasNoDescriptor()) {
            return closedError();
        }
        long start = System.nanoTime();
        long nanos = timeout.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE / 2 : timeout.toNanos();
        ThreadContext context = ThreadContext.current();
        int result = handle.read(context, start + nanos);
        if (result == TS_ERR) {
            handle.setLastErrno(context.errno());
        }
        Reference.reachabilityFence(this);
        return result;
    }

    /** True until this end is closed (by {@link #close()}, its pipe's close, or a hand-off to a child process). */
    public boolean isOpen() {
        return handle.isOpen();
    }

    /**
     * Closes this end. Idempotent, and safe from any thread: calls blocked on this end return {@link #TS_ERR}
     * (EBADF) and this method returns once the descriptor is closed.
     *
     * <p>One exception (POSIX): a thread that blocks the wake-up signal only after its first token call cannot be
     * woken from the call it is in when it is found out (about 20 ms after it was first signalled; Linux reads
     * its mask in {@code /proc}, macOS takes a thread that has not left 1 s after the signal to block it). This
     * method then logs it once per thread (WARNING, logger {@code io.tokenpipe}) and returns without waiting for
     * it: the end is closed for every new call, but close(2) of the descriptor is deferred until that call
     * returns by itself (a token, end of stream, or the peer closing its end), and the {@code tokenpipe-waker}
     * thread calls it then. Until then the number stays taken and the peer still sees this end open. That call's
     * timeout or interrupt cannot end it early; they take effect only when it returns, with what its system call
     * brought (an interrupt stays set and fails the thread's next call with EINTR). The thread's later calls are
     * served normally (the signal is unblocked around each of their system calls). A second close() on another
     * thread returns once the close is deferred. Where such threads cannot be ruled out, start the JVM with
     * {@code -Dtokenpipe.maskCheck=everyCall}: then every call unblocks the signal around its system calls and
     * there is no exception, at the price of one more system call per read or write. See docs/core.md, "Threads
     * that block the wake-up signal".
     */
    @Override
    public void close() {
        handle.close(); // also lets the leak guard forget the handle
    }

    /** The errno of this end's last failed call (EPIPE 32, EBADF 9, EINTR 4 ...), 0 if no call failed. */
    public int lastErrno() {
        return handle.lastErrno();
    }

    /** "TokenPipeEnd[fd=5, open]", with the last errno once a call failed. */
    @Override
    public String toString() {
        String state = handle.toString();
        int errno = handle.lastErrno();
        return "TokenPipeEnd[" + state + (errno == 0 ? "" : ", lastErrno=" + Errno.name(errno)) + "]";
    }

    /** For the child hand-off: the handle owning the descriptor (one without a descriptor for a second take). */
    FdHandle handle() {
        return handle;
    }

    private int closedError() {
        handle.setLastErrno(Errno.EBADF);
        return TS_ERR;
    }
}
