package io.tokenpipe.internal;

import io.tokenpipe.internal.posix.PosixIo;
import io.tokenpipe.internal.windows.WindowsIo;
import java.nio.ByteBuffer;

/**
 * The operating system as the token pipe sees it: one small implementation per platform
 * ({@code posix.PosixIo}, {@code windows.WindowsIo}), over the C functions of one {@link Backend} (JNA or FFM),
 * chosen once, at the first call that needs it (nothing native is loaded before that). Together with the
 * backends this is the only layer that knows about file descriptors and errno; every method here is a thin
 * wrapper of one system call.
 *
 * <p>Calls that fail return -1 and leave the errno in {@link #errno()}, read right after the call on the
 * same thread (each backend saves errno per thread as the native call returns, before anything can clobber it).
 */
public abstract class NativeIo {

    /** Loads the platform layer on first use; a failure is kept as text instead of thrown. */
    private static final class Holder {
        static final NativeIo IO;
        static final String FAILURE;

        static {
            NativeIo io = null;
            String failure = null;
            try {
                io = create();
            } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError, IllegalStateException...
                failure = e.getMessage() == null ? e.toString() : e.getMessage();
            }
            IO = io;
            FAILURE = failure;
        }
    }

    private static NativeIo create() {
        if (!Os.BITS_64) {
            throw new IllegalStateException("tokenpipe supports 64-bit platforms only; this is " + Os.describe());
        }
        if (!Os.WINDOWS && !Os.LINUX && !Os.MAC) {
            throw new IllegalStateException("tokenpipe does not support " + Os.describe()
                    + " (Linux, macOS and Windows only)");
        }
        if (Os.LINUX && !Os.ARCH.equals("x86-64") && !Os.ARCH.equals("aarch64")) {
            // struct sigaction, the open flags and the system call numbers used here are those of x86-64 and
            // aarch64 (asm-generic); mips, sparc, alpha, parisc and s390x lay them out differently.
            throw new IllegalStateException("tokenpipe on Linux supports x86-64 and aarch64 only, not "
                    + Os.describe() + ": the layout of struct sigaction, the O_CLOEXEC and O_CREAT values and the"
                    + " system call numbers it relies on are known for those two only");
        }
        MaskCheck.everyCall(); // a bad value makes the layer unavailable, naming the property
        // Now, not at the first failure: when make() fails with EMFILE no descriptor is left to open a class file
        // with, which an exploded class path (surefire's, an IDE's) needs for every class (MakeFailureTest).
        NativeText.load();
        Backend backend = Backends.load();
        return Os.WINDOWS ? new WindowsIo(backend) : new PosixIo(backend);
    }

    private final Backend backend;

    protected NativeIo(Backend backend) {
        this.backend = backend;
    }

    /** The backend whose C functions this platform layer calls. */
    public final Backend backend() {
        return backend;
    }

    /** The platform layer, or null when this platform cannot make token pipes (see {@link #unavailableReason()}). */
    public static NativeIo get() {
        return Holder.IO;
    }

    /** Why {@link #get()} is null, or null when the platform layer is available. */
    public static String unavailableReason() {
        return Holder.FAILURE;
    }

    /** strerror text for {@code errno}, or null when the platform layer is unavailable. */
    static String strerror(int errno) {
        NativeIo io = get();
        return io == null ? null : io.errorText(errno);
    }

    /**
     * Makes a pipe that is not inherited by child processes; stores read and write fd as two ints at the start
     * of {@code scratch} (whose address is {@code scratchAddress}).
     *
     * @return 0, or the errno
     */
    public abstract int pipe(ByteBuffer scratch, long scratchAddress, boolean forceFallback);

    /** read(2) of one byte into {@code buffer}: 1, 0 at end of stream, -1 on error. */
    public abstract long read(int fd, long buffer);

    /** write(2) of the byte at {@code buffer}: 1, or -1 on error. */
    public abstract long write(int fd, long buffer);

    /** close(2). */
    public abstract int close(int fd);

    /** errno of this thread's last failed call. */
    public abstract int errno();

    /**
     * Whether errno means "interrupted, try again" rather than a real failure: EINTR on POSIX (from
     * {@link #wake} or any other handled signal); on Windows also the error of a cancelled read, but only when
     * {@code woken} says that {@link #wake} was called for this thread.
     */
    public abstract boolean isWakeUp(int errno, boolean woken);

    /** Whether errno is EAGAIN: a descriptor in non-blocking mode (an inherited one: ours never are) is not ready. */
    public abstract boolean isWouldBlock(int errno);

    /**
     * Waits until {@code fd} is readable (or writable) or a signal interrupts the wait ({@link #wake} does):
     * poll(2) with no timeout, its pollfd built in {@code scratch} at bytes 8-15.
     */
    public abstract void awaitReady(int fd, boolean write, ByteBuffer scratch, long scratchAddress);

    /**
     * Whether {@code fd} is readable (or writable) right now, without waiting: poll(2) with a zero timeout, its
     * pollfd built in {@code scratch} at bytes 8-15. "Readable" includes end of stream and an error: a read then
     * returns at once. False when it is not, or cannot be told. A timed call whose deadline passed looks here
     * once, so that it reports what is there at the deadline.
     */
    public abstract boolean isReady(int fd, boolean write, ByteBuffer scratch, long scratchAddress);

    /**
     * Whether {@link #isReady} can tell (POSIX: poll(2)). Then a timed read whose deadline has passed before it
     * starts ({@code Duration.ZERO}) only looks and never blocks: it needs no wake-up at all. Where it cannot tell
     * (Windows), such a read blocks as any other and its deadline ends it.
     */
    public abstract boolean tellsReadiness();

    /** An id by which {@link #wake} can reach the calling thread. */
    public abstract long currentThreadId();

    /**
     * Makes a system call that thread {@code threadId} is blocked in return early (it then re-checks its state).
     *
     * @return false when the wake-up could not be sent (Linux: EAGAIN, the user's queue of pending signals is full,
     *     which is logged once per JVM); then a closer does not wait for that thread, and the waker tries again
     */
    public abstract boolean wake(long threadId);

    /**
     * Says why {@link #wake} failed, where that is worth saying (Linux: the full queue of pending signals, once per
     * JVM); called by the sender after it has let go of every lock it sent under, since logging can block.
     */
    public void reportWakeFailure() {
        // nothing to say by default
    }

    /**
     * Checks that {@code fd} is a number a token pipe can be handed over at (not negative, not 0-2), before anything
     * claims it.
     *
     * @throws IllegalArgumentException naming the fd and the rule when it is not
     */
    public abstract void checkAdoptableNumber(int fd);

    /**
     * Checks that {@code fd}, which the caller has claimed, is an open pipe or FIFO in the state an inherited one is
     * in, and marks it not inheritable.
     *
     * @throws IllegalArgumentException naming the fd and the reason when it is not
     */
    public abstract void adopt(int fd);

    /**
     * Whether the calling thread's signal mask blocks the wake-up signal (one system call), using bytes 16-31 of
     * {@code scratch}. False where wake-ups use no signal (Windows).
     */
    public boolean blocksWakeUp(ByteBuffer scratch, long scratchAddress) {
        return false;
    }

    /**
     * Unblocks the wake-up signal for the calling thread, for the duration of one system call.
     *
     * @return true when it was blocked (then {@link #blockWakeUp} must follow), false when it was not
     */
    public boolean unblockWakeUp(ByteBuffer scratch, long scratchAddress) {
        return false;
    }

    /** Blocks the wake-up signal again after {@link #unblockWakeUp} returned true. */
    public void blockWakeUp(long scratchAddress) {
    }

    /**
     * Why thread {@code threadId}, signalled {@code signalledNanos} ago and still inside its call, cannot be woken
     * ("blocks the wake-up signal 62 in its signal mask (...) while asleep in read(2)"), or null when it can (it is
     * only slow). {@code scratchAddress} is that thread's scratch buffer, which its token system calls are given:
     * only a thread asleep in one of them can be stuck there.
     */
    public String whyNotWoken(long threadId, long signalledNanos, long scratchAddress) {
        return null;
    }

    /**
     * Whether a wake-up sent to thread {@code threadId} is still pending there, sent but not delivered (it blocks
     * the signal): sending another would only queue it behind the first. False where that cannot be told.
     */
    public boolean wakeUpPending(long threadId) {
        return false;
    }

    /** Whether the callers of one descriptor must take turns (Windows: see FdHandle#enterSerially). */
    public boolean serializesCalls() {
        return false;
    }

    /**
     * Clears close-on-exec on {@code fd}, the state of an inherited descriptor that {@link #adopt} requires (for
     * {@code TokenPipeEnd.detach}); 0 or the errno. This default does nothing: Windows' adopt does not look at
     * inheritance.
     */
    public int clearCloseOnExec(int fd) {
        return 0;
    }

    /** The soft limit on open descriptors of this process (RLIMIT_NOFILE), or -1 if unknown. */
    public abstract long openFileLimit();

    /** "Linux amd64 (glibc, wake-up signal 62)": what the health endpoint shows. */
    public abstract String platform();

    protected abstract String errorText(int errno);
}
