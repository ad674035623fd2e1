package io.tokenpipe.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The one owner of one file descriptor. Its state moves OPEN -> CLOSING -> CLOSED once. Calls run while the
 * state is OPEN and announce themselves in their thread's {@link ThreadContext#call}; {@link #close} moves to
 * CLOSING (no new call gets in), wakes the threads still inside until they have left, and only then calls
 * close(2). So the fd is closed exactly once, never while a system call on it is in flight, and a number
 * the kernel hands out again can never receive a token meant for this descriptor.
 *
 * <p>The token path costs one volatile store (entering), two volatile loads, the system call and one
 * release store (leaving): no lock, no allocation, no compare-and-set.
 *
 * <p>A handle made for an owner is also the phantom reference to it: {@link LeakGuard} keeps it reachable while
 * the descriptor is open and, should the owner be collected without closing it, runs {@link #run}, which
 * closes it. Not API: {@link #enqueue()} on a handle would close its descriptor under its owner.
 */
public final class FdHandle extends PhantomReference<Object> implements Runnable {
    public static final int TS_ERR = -1;
    public static final int TS_EOS = -2;
    public static final int TS_TIMEOUT = -3;
    private static final int RETRY = Integer.MIN_VALUE;

    private static final int OPEN = 0;
    private static final int CLOSING = 1;
    private static final int CLOSED = 2;
    private static final VarHandle STATE;
    private static final NativeIo IO = NativeIo.get();
    private static final System.Logger LOG = System.getLogger("io.tokenpipe");

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FdHandle.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    private volatile int state;
    /** Where the descriptor was made, for the leak report; null unless leak detection is on. */
    private final Throwable origin;
    /** {@link LeakGuard}'s list; guarded by its stripe's lock. */
    FdHandle guardPrevious;
    FdHandle guardNext;

    /** A handle nobody guards: whoever made it must close it. */
    public FdHandle(int fd, Throwable origin) {
        super(null, null);
        this.fd = fd;
        this.origin = origin;
    }

    /** A handle that closes its descriptor itself (and logs a leak) if {@code owner} is collected before that. */
    public FdHandle(int fd, Throwable origin, Object owner) {
        super(owner, LeakGuard.QUEUE);
        this.fd = fd;
        this.origin = origin;
        LeakGuard.watch(this);
    }

    public int fd() {
        return fd;
    }

    public boolean isOpen() {
        return state == OPEN;
    }

    /** Reads one token: 0..255, TS_EOS, or TS_ERR with the errno in {@code context}. */
    public int read(ThreadContext context) {
        context.timed = false;
        return read0(context);
    }

    /** As {@link #read(ThreadContext)}, or TS_TIMEOUT once System.nanoTime() passes {@code deadline}. */
    public int read(ThreadContext context, long deadline) {
        context.deadline = deadline;
        context.timed = true;
        return read0(context);
    }

    private int read0(ThreadContext context) {
        if (context.thread.isInterrupted()) {
            return fail(context, Errno.EINTR);
        }
        context.enter(this);
        try {
            if (state != OPEN) {
                return fail(context, Errno.EBADF);
            }
            notifyWaker(context);
            context.beforeSystemCalls();
            while (true) {
                long n = IO.read(fd, context.scratchAddress);
                if (n > 0) {
                    return context.scratch.get(0) & 0xFF;
                }
                if (n == 0) {
                    return TS_EOS;
                }
                int status = afterFailure(context, false);
                if (status != RETRY) {
                    return status;
                }
            }
        } finally {
            context.leave();
        }
    }

    /** Writes one token (0..255): 0, TS_EOS, or TS_ERR with the errno in {@code context}. */
    public int write(ThreadContext context, int token) {
        if (context.thread.isInterrupted()) {
            return fail(context, Errno.EINTR);
        }
        context.timed = false;
        context.enter(this);
        try {
            if (state != OPEN) {
                return fail(context, Errno.EBADF);
            }
            notifyWaker(context);
            context.beforeSystemCalls();
            context.scratch.put(0, (byte) token);
            while (true) {
                long n = IO.write(fd, context.scratchAddress);
                if (n > 0) {
                    return 0;
                }
                if (n == 0) {
                    return TS_EOS;
                }
                int status = afterFailure(context, true);
                if (status != RETRY) {
                    return status;
                }
            }
        } finally {
            context.leave();
        }
    }

    private static void notifyWaker(ThreadContext context) {
        if (context.timed) {
            Waker.onTimedCall(context.deadline);
        } else {
            Waker.onCall();
        }
    }

    /**
     * After a failed system call: the status to return, or RETRY when it was only a wake-up (EINTR), or when
     * the descriptor is in non-blocking mode (an inherited one) and not ready yet: then this waits in poll(2),
     * which a wake-up interrupts just like a read.
     */
    private int afterFailure(ThreadContext context, boolean write) {
        int errno = IO.errno(); // first: nothing may run between the call and this read
        if (state != OPEN) {
            return fail(context, Errno.EBADF);
        }
        boolean wouldBlock = IO.isWouldBlock(errno);
        if (!wouldBlock && !IO.isWakeUp(errno, context.consumeWoken())) {
            return fail(context, errno);
        }
        if (context.thread.isInterrupted()) {
            return fail(context, Errno.EINTR);
        }
        if (context.timed && System.nanoTime() - context.deadline >= 0) {
            return TS_TIMEOUT;
        }
        if (wouldBlock) {
            IO.awaitReady(fd, write, context.scratch, context.scratchAddress);
        }
        return RETRY;
    }

    private static int fail(ThreadContext context, int errno) {
        context.errno = errno;
        return TS_ERR;
    }

    /**
     * Closes the descriptor once. Returns after close(2) was called, also when another thread won the race
     * to close; threads blocked on the descriptor are woken and return TS_ERR (EBADF).
     */
    public void close() {
        if (!STATE.compareAndSet(this, OPEN, CLOSING)) {
            awaitClosed();
            return;
        }
        awaitNoCalls();
        IO.close(fd); // never retried, not even on EINTR: on Linux the fd is released whatever close returns
        state = CLOSED;
        LeakGuard.release(this);
    }

    /**
     * Starts handing the descriptor to someone else (a child process): from now on the handle behaves as
     * closed, no call is in flight, and the number stays reserved until {@link #finishHandOff()}.
     *
     * @return the descriptor, or -1 when the handle was not open
     */
    public int beginHandOff() {
        if (!STATE.compareAndSet(this, OPEN, CLOSING)) {
            return -1;
        }
        awaitNoCalls();
        return fd;
    }

    /** Closes this process's copy after a hand-off. */
    public void finishHandOff() {
        IO.close(fd);
        state = CLOSED;
        LeakGuard.release(this);
    }

    /**
     * Gives the descriptor up after {@link #beginHandOff()} without closing it (a detach): from now on whoever
     * has the number owns it, and the leak guard no longer closes it.
     */
    public void finishWithoutClose() {
        state = CLOSED;
        LeakGuard.release(this);
    }

    private void awaitNoCalls() {
        for (int round = 0; ; round++) {
            boolean inside = false;
            for (ThreadContext context : ThreadContext.all()) {
                if (context.call == this) {
                    inside = true;
                    context.wake();
                }
            }
            if (!inside) {
                return;
            }
            backOff(round);
        }
    }

    private void awaitClosed() {
        for (int round = 0; state != CLOSED; round++) {
            backOff(round);
        }
    }

    /** Spin a little, then yield, then sleep from 20 us growing to 1 ms: a woken thread leaves in microseconds. */
    private static void backOff(int round) {
        if (round < 8) {
            Thread.onSpinWait();
        } else if (round < 16) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(Math.min(1_000_000L, 20_000L << Math.min(round - 16, 6)));
        }
    }

    /** {@link LeakGuard}'s action: the owner became unreachable without close(). */
    @Override
    public void run() {
        if (state != OPEN) {
            return; // closed or being closed by whoever moved it out of OPEN, who also releases it
        }
        close(); // first: a logger that fails must not leave the descriptor open
        if (origin != null) {
            LOG.log(System.Logger.Level.WARNING, "token pipe end fd " + fd
                    + " was garbage-collected without close(); closed it. It was made here:", origin);
        } else {
            LOG.log(System.Logger.Level.DEBUG, "token pipe end fd " + fd + " was garbage-collected without close();"
                    + " closed it (run with -Dtokenpipe.leakDetection=true to see where it was made)");
        }
    }

    @Override
    public String toString() {
        return "fd=" + fd + ", " + (state == OPEN ? "open" : "closed");
    }
}
