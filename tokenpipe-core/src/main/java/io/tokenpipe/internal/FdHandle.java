package io.tokenpipe.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.PhantomReference;

/**
 * The one owner of one file descriptor. Its life moves OPEN -> CLOSING -> CLOSED once. A call announces itself,
 * checks that the handle is OPEN and withdraws when it ends (one release store); {@link #close} moves to CLOSING (no
 * new call gets in), wakes the threads inside until they have left, and only then calls close(2). So the descriptor
 * is closed exactly once, never while a system call on it is in flight, and a number the kernel hands out again can
 * never receive a token meant for this descriptor. close() looks at the threads of this handle only.
 *
 * <p>Where a call announces itself: the first thread to use a handle becomes its <em>owner</em> (once, by
 * compare-and-set); the owner announces a call with one volatile store of this handle into its own
 * {@link ThreadContext#call}, and close finds it through {@link #owner}. Most descriptors are only ever used by one
 * thread, so that is the whole cost. Any other thread takes a place in {@link Slots} chunks (one compare-and-set).
 * A compare-and-set on the handle for every call measured 1-2% of a token more than this store (OwnCost).
 *
 * <p>Why it is safe: a caller writes its announcement and then reads the state; close writes the state and then
 * reads the owner's announcement and the slots; both are sequentially consistent, so at least one sees the other:
 * either the caller sees CLOSING and backs out, or close sees the caller, wakes it and waits for it to leave.
 *
 * <p>A thread that cannot be woken (it blocks the wake-up signal, and did so only after its first call, see
 * {@link ThreadContext}) does not make close() hang: close() then logs why, returns, and leaves close(2) to the
 * {@code tokenpipe-waker} thread, which calls it as soon as the last thread has left (CLOSE_DEFERRED). Until then the
 * number stays taken, so it can never be reused under that thread.
 *
 * <p>A handle is also the phantom reference to the end that owns it: {@link FdRegistry} keeps it reachable while
 * the descriptor is open and, should the owner be collected without closing it, {@link LeakGuard} runs
 * {@link #run}, which closes it. Not API: {@link #enqueue()} on a handle would close its descriptor under its owner.
 */
public class FdHandle extends PhantomReference<Object> implements Runnable {
    public static final int TS_ERR = -1;
    public static final int TS_EOS = -2;
    public static final int TS_TIMEOUT = -3;
    private static final int RETRY = Integer.MIN_VALUE;

    // The state word: the life cycle in the low bits, and whether the Waker watches this handle.
    private static final int OPEN = 0;
    /** No call gets in; a closer or a hand-off waits for the calls inside. */
    private static final int CLOSING = 1;
    /** close() returned while a thread that cannot be woken was inside: the waker calls close(2) after it leaves. */
    private static final int CLOSE_DEFERRED = 2;
    /** close(2) is being called. */
    private static final int FINISHING = 3;
    private static final int CLOSED = 4;
    /**
     * adopt() has claimed the number and is still checking the descriptor, which may not even be open: the handle
     * owns nothing yet. A pipe the kernel gives that number takes it over without a word ({@link #loseDescriptor}).
     */
    private static final int ADOPTING = 5;
    private static final int LIFE = 7;
    /**
     * The Waker has this handle on its list (or in its incoming array); set by the first call that finds it clear,
     * cleared by the Waker.
     */
    static final int WATCHED = 8;
    /**
     * The descriptor was adopted, not made by this process's make(): it may be a named FIFO, whose poll(2) does not
     * report the end of stream of a writer that never came (read(2) does), so a read past its deadline before it
     * starts reads instead of looking. Kept through every change of life.
     */
    private static final int ADOPTED = 64;
    /** The bits a change of life keeps. */
    private static final int KEPT = WATCHED | ADOPTED;
    // Added by enter() to the state it returns, never stored: how this call entered.
    /** The caller owns the handle and announced itself in its context (else it took a place in the slots). */
    private static final int OWNED = 16;
    /** The caller is a virtual thread or blocks the wake-up signal: its system calls need care. */
    private static final int CARE = 32;


    private static final VarHandle STATE;
    private static final VarHandle OWNER;
    static final NativeIo IO = NativeIo.get();
    /** Windows: one caller at a time per descriptor (see {@link NativeIo#serializesCalls()}). */
    private static final boolean SERIAL = IO != null && IO.serializesCalls();
    /** POSIX: a read already past its deadline looks with poll(2) instead of blocking. */
    private static final boolean READY_TELLS = IO != null && IO.tellsReadiness();

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FdHandle.class, "state", int.class);
            OWNER = MethodHandles.lookup().findVarHandle(FdHandle.class, "owner", ThreadContext.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int fd;
    private volatile int state;
    /**
     * The first thread that made a call on this descriptor; set once. It announces its calls in its own context
     * ({@link ThreadContext#call}); read plainly on its fast path (a stale null only sends it the slow way).
     */
    private ThreadContext owner;
    /** Places for other threads inside a call; chunks are only ever added (at the head), never replaced. */
    private volatile Slots more;
    /**
     * The errno of the last failed call of the end that owns this handle, 0 if none failed; kept here rather than
     * in the end, where it would take the end from 16 to 24 B (this object has room for it within its 48 B).
     */
    private volatile int lastErrno;

    private FdHandle(int fd, Object owner) {
        super(owner, LeakGuard.QUEUE);
        this.fd = fd;
    }

    /** A handle for a descriptor the kernel has just made (pipe): it owns the number from now on. */
    public static FdHandle ofNewDescriptor(int fd, Object owner, Throwable origin) {
        FdHandle handle = origin == null ? new FdHandle(fd, owner) : new Traced(fd, owner, origin);
        FdRegistry.claimFresh(handle);
        return handle;
    }

    /**
     * A handle for a descriptor this process did not make (adopt), claimed in one atomic step: of two threads
     * adopting one descriptor, one gets it.
     *
     * @throws IllegalArgumentException when a live handle owns {@code fd} already
     */
    public static FdHandle ofAdopted(int fd, Object owner, Throwable origin) {
        FdHandle handle = origin == null ? new FdHandle(fd, owner) : new Traced(fd, owner, origin);
        handle.state = ADOPTED | ADOPTING; // published by the claim's compare-and-set
        if (!FdRegistry.claim(handle)) {
            FdHandle current = FdRegistry.owner(fd);
            throw new IllegalArgumentException("fd " + fd + " is already owned by a token pipe end in this process"
                    + (current == null ? "" : " (" + current + ")") + "; owning it twice would close it twice");
        }
        return handle;
    }

    /**
     * A handle that never had a descriptor, for an end that is closed from the start (a second take): it is in no
     * registry, refers to no end (so it is never queued) and every call on it fails with EBADF.
     */
    public static FdHandle withoutDescriptor() {
        FdHandle handle = new FdHandle(-1, null);
        handle.state = CLOSED;
        return handle;
    }

    /**
     * Ends {@link #ofAdopted}'s check: the descriptor was found fit, and this handle owns it from now on.
     *
     * @throws IllegalArgumentException when a pipe of this process was given the number meanwhile (so it was not
     *         open at some point of the adopt)
     */
    public void confirmAdoption() {
        if (!moveLife(ADOPTING, OPEN)) {
            throw new IllegalArgumentException("fd " + fd + " was not open while it was being adopted: a new pipe of"
                    + " this process has been given the number meanwhile");
        }
    }

    /** Gives up the claim of {@link #ofAdopted} when the descriptor then turns out unfit; it is left open. */
    public void abandonClaim() {
        setLife(CLOSED);
        FdRegistry.release(this);
    }

    public int fd() {
        return fd;
    }

    public boolean isOpen() {
        return (state & LIFE) == OPEN;
    }

    /** Whether this handle never had a descriptor ({@link #withoutDescriptor()}). */
    public boolean hasNoDescriptor() {
        return fd < 0;
    }

    /** The errno of the owning end's last failed call (EPIPE, EBADF, EINTR ...), 0 if no call failed. */
    public int lastErrno() {
        return lastErrno;
    }

    /** Records the errno of a failed call of the owning end. */
    public void setLastErrno(int errno) {
        lastErrno = errno;
    }

    /** Where the descriptor was made, for the leak report; null unless leak detection is on. */
    Throwable origin() {
        return null;
    }

    /** Reads one token: 0..255, TS_EOS, or TS_ERR with the errno in {@code context}. */
    public final int read(ThreadContext context) {
        context.timed = false;
        return read0(context);
    }

    /** As {@link #read(ThreadContext)}, or TS_TIMEOUT once System.nanoTime() passes {@code deadline}. */
    public final int read(ThreadContext context, long deadline) {
        context.deadline = deadline;
        context.timed = true;
        return read0(context);
    }

    private int read0(ThreadContext context) {
        if (context.thread.isInterrupted()) {
            return fail(context, Errno.EINTR);
        }
        int entered = enter(context);
        if (entered < 0) {
            return entered; // Windows, waiting for another caller: TS_ERR or TS_TIMEOUT
        }
        try {
            if ((entered & LIFE) != OPEN) {
                return fail(context, Errno.EBADF);
            }
            boolean lookedAtDeadline = false;
            if (context.timed && (entered & ADOPTED) == 0 && READY_TELLS
                    && System.nanoTime() - context.deadline >= 0) {
                // Past its deadline already (Duration.ZERO): look, and read only what is there. A read that
                // blocked now could end only by a wake-up signal, which a full signal queue cannot deliver.
                if (!readyAtDeadline(context)) {
                    return TS_TIMEOUT;
                }
                lookedAtDeadline = true;
            }
            announce(context, entered);
            while (true) {
                long n = systemCall(context, false, entered);
                if (n > 0) {
                    return context.scratch.get(0) & 0xFF;
                }
                if (n == 0) {
                    return TS_EOS;
                }
                int status = afterFailure(context, false, entered);
                if (status == TS_TIMEOUT && !lookedAtDeadline && readyAtDeadline(context)) {
                    lookedAtDeadline = true;
                    continue; // read what is there: a token, or end of stream
                }
                if (status != RETRY) {
                    return status;
                }
            }
        } finally {
            leave(context, entered);
        }
    }

    /**
     * Whether a timed read whose deadline has passed reads once more, because the descriptor is readable now (poll
     * with a zero timeout): the wake-up that ends a blocked read can come late (the process was stopped past the
     * deadline, the thread was not scheduled), and a token that came before it is returned, as poll(2) with a zero
     * timeout and Java's timed waits report what is there at the deadline. Asked once per call, after the interrupt
     * check (an interrupted caller still gets EINTR). Should another reader take the token between this look and
     * the read, that read blocks past the deadline: the Waker signals a timed thread still inside after its
     * deadline again every millisecond ({@link Waker#visit}), so the read soon fails with EINTR and the call returns
     * TS_TIMEOUT, its look used. The untimed read never gets here: afterFailure returns TS_TIMEOUT for timed calls.
     * A read whose deadline has passed before its first read (Duration.ZERO) looks here first instead, and returns
     * TS_TIMEOUT without a read when nothing is there.
     */
    private boolean readyAtDeadline(ThreadContext context) {
        return IO.isReady(fd, false, context.scratch, context.scratchAddress);
    }

    /** Writes one token (0..255): 0, TS_EOS, or TS_ERR with the errno in {@code context}. */
    public final int write(ThreadContext context, int token) {
        if (context.thread.isInterrupted()) {
            return fail(context, Errno.EINTR);
        }
        context.timed = false;
        int entered = enter(context);
        if (entered < 0) {
            return entered;
        }
        try {
            if ((entered & LIFE) != OPEN) {
                return fail(context, Errno.EBADF);
            }
            announce(context, entered);
            context.scratch.put(0, (byte) token);
            while (true) {
                long n = systemCall(context, true, entered);
                if (n > 0) {
                    return 0;
                }
                if (n == 0) {
                    return TS_EOS;
                }
                int status = afterFailure(context, true, entered);
                if (status != RETRY) {
                    return status;
                }
            }
        } finally {
            leave(context, entered);
        }
    }

    /**
     * Announces the caller (the owner: one volatile store) and returns the state read right after, with OWNED and
     * CARE telling how it entered; negative when it gave up waiting for its turn (Windows: TS_ERR, TS_TIMEOUT).
     */
    private int enter(ThreadContext context) {
        int care = context.startCall() ? CARE : 0;
        if (owner == context && !SERIAL) {
            context.announce(this);
            return state | OWNED | care;
        }
        int entered = enterSlow(context);
        return entered < 0 ? entered : entered | care;
    }

    private void leave(ThreadContext context, int entered) {
        context.endCall();
        if ((entered & OWNED) != 0) {
            context.withdraw();
        } else {
            context.slots.release(context.slotIndex);
        }
    }

    /** Not the owner: become it if there is none yet, else take a place in the slots (adding a chunk if needed). */
    private int enterSlow(ThreadContext context) {
        if (SERIAL) {
            return enterSerially(context);
        }
        if (owner == null && OWNER.compareAndSet(this, (ThreadContext) null, context)) {
            context.announce(this);
            return state | OWNED;
        }
        while (true) {
            Slots seen = more;
            for (Slots chunk = seen; chunk != null; chunk = chunk.next) {
                int index = chunk.claim(context);
                if (index >= 0) {
                    context.slots = chunk;
                    context.slotIndex = index;
                    return state;
                }
            }
            addSlots(seen);
        }
    }

    /** Adds a chunk of slots, unless {@code more} is no longer {@code seen} (another thread added one). */
    private synchronized void addSlots(Slots seen) {
        if (more == seen) {
            more = new Slots(more);
        }
    }

    /**
     * Windows: msvcrt's _read and _write hold a per-descriptor lock for the whole blocking call, and a cancel only
     * reaches I/O pending at that moment, so a second caller blocked on that lock could be neither timed out nor
     * interrupted. Callers of one descriptor therefore take turns on one slot, and wait for it in a way that
     * honours their deadline, their interrupt and close().
     */
    private int enterSerially(ThreadContext context) {
        if (more == null) {
            addSlots(null);
        }
        Slots turn = more; // the one chunk of a Windows handle; only its first slot is used
        for (int round = 0; ; round++) {
            if (turn.claimFirst(context)) {
                context.slots = turn;
                context.slotIndex = 0;
                return state;
            }
            if ((state & LIFE) != OPEN) {
                return fail(context, Errno.EBADF);
            }
            if (context.thread.isInterrupted()) {
                return fail(context, Errno.EINTR);
            }
            if (context.timed && System.nanoTime() - context.deadline >= 0) {
                return TS_TIMEOUT;
            }
            CloseWait.pause(round);
        }
    }

    /** Tells the Waker about this handle when it does not watch it yet, and about an early deadline. */
    private void announce(ThreadContext context, int state) {
        if ((state & WATCHED) == 0) {
            watch();
        }
        if (context.timed) {
            Waker.onTimedCall(context.deadline);
        }
    }

    private void watch() {
        int s;
        do {
            s = state;
            if ((s & WATCHED) != 0) {
                return; // another caller did it
            }
        } while (!STATE.compareAndSet(this, s, s | WATCHED));
        Waker.watch(this);
    }

    /**
     * The Waker stops watching this handle (no call was in it for a while).
     *
     * @return false when a call is inside after all and the Waker must keep the handle on its list
     */
    boolean unwatch() {
        int s;
        do {
            s = state;
        } while (!STATE.compareAndSet(this, s, s & ~WATCHED));
        if (visitInside(null) == 0) {
            return true; // a call entering from now on sees WATCHED clear and watches it again
        }
        while (true) {
            s = state;
            if ((s & WATCHED) != 0) {
                return true; // that call watched it again: it is on its way back to the Waker
            }
            if (STATE.compareAndSet(this, s, s | WATCHED)) {
                return false;
            }
        }
    }

    /** One read or write system call; its errno, when it fails, is saved in {@code context.errno}. */
    private long systemCall(ThreadContext context, boolean write, int entered) {
        if ((entered & CARE) != 0) {
            return carefulSystemCall(context, write);
        }
        long n = write ? IO.write(fd, context.scratchAddress) : IO.read(fd, context.scratchAddress);
        if (n < 0) {
            context.errno = IO.errno(); // first: nothing may run between the call and this read
        }
        return n;
    }

    /** As {@link #systemCall}, for a virtual thread or one that blocks the wake-up signal (kept out of line). */
    private long carefulSystemCall(ThreadContext context, boolean write) {
        boolean unblocked = context.beforeSystemCall();
        long n = write ? IO.write(fd, context.scratchAddress) : IO.read(fd, context.scratchAddress);
        if (n < 0) {
            context.errno = IO.errno();
        }
        context.afterSystemCall(unblocked);
        return n;
    }

    /**
     * After a failed system call: the status to return, or RETRY when it was only a wake-up (EINTR), or when
     * the descriptor is in non-blocking mode (an inherited one) and not ready yet: then this waits in poll(2),
     * which a wake-up interrupts just like a read.
     */
    private int afterFailure(ThreadContext context, boolean write, int entered) {
        int errno = context.errno;
        if ((state & LIFE) != OPEN) {
            return fail(context, Errno.EBADF);
        }
        boolean wouldBlock = IO.isWouldBlock(errno);
        if (!wouldBlock && !IO.isWakeUp(errno, context.consumeWoken())) {
            return TS_ERR; // the errno is in the context already
        }
        if (context.thread.isInterrupted()) {
            return fail(context, Errno.EINTR);
        }
        if (context.timed && System.nanoTime() - context.deadline >= 0) {
            return TS_TIMEOUT;
        }
        if (wouldBlock) {
            boolean unblocked = (entered & CARE) != 0 && context.beforeSystemCall();
            IO.awaitReady(fd, write, context.scratch, context.scratchAddress);
            context.afterSystemCall(unblocked);
        }
        return RETRY;
    }

    private static int fail(ThreadContext context, int errno) {
        context.errno = errno;
        return TS_ERR;
    }

    /**
     * Closes the descriptor once. Returns after close(2) was called, also when another thread won the race to close;
     * threads blocked on the descriptor are woken and return TS_ERR (EBADF). One exception: a thread inside that
     * cannot be woken (see the class comment) is logged and not waited for; the descriptor is closed as soon as its
     * call returns. The caller's interrupt status is left as it was.
     */
    public void close() {
        if (!beginClosing()) {
            CloseWait.untilClosed(this); // another thread is closing it
            return;
        }
        boolean nobodyLeft;
        try {
            nobodyLeft = nobodyInside() || CloseWait.untilNobodyInside(this, false);
        } catch (Throwable failed) { // out of memory for the wait itself: the Waker closes it once nobody is inside
            deferClose();
            throw failed;
        }
        if (nobodyLeft) {
            closeNow();
        } else {
            deferClose();
        }
    }

    /**
     * Starts handing the descriptor to someone else (a child process): from now on the handle behaves as closed,
     * no call is in flight (but for a thread that cannot be woken: then as in {@link #close()}), and the number stays
     * reserved until {@link #finishHandOff()}.
     *
     * @return the descriptor, or -1 when the handle was not open
     */
    public int beginHandOff() {
        if (!beginClosing()) {
            return -1;
        }
        if (!nobodyInside()) {
            try {
                CloseWait.untilNobodyInside(this, true);
            } catch (Throwable failed) { // out of memory for the wait itself: closed as a close() would be
                deferClose();
                throw failed;
            }
        }
        return fd;
    }

    /** Closes this process's copy after a hand-off (later, if a thread that cannot be woken is still inside). */
    public void finishHandOff() {
        if (nobodyInside() || visitInside(null) == 0) {
            closeNow();
        } else {
            deferClose();
        }
    }

    /**
     * Gives the descriptor up after {@link #beginHandOff()} without closing it (a detach): from now on whoever has
     * the number owns it (the registry lets it go at once, so that {@code adopt} can take it), and the leak guard
     * no longer closes it. A thread that could not be woken and is still inside keeps its call on the descriptor,
     * which is the new owner's now.
     */
    public void finishWithoutClose() {
        setLife(CLOSED);
        FdRegistry.release(this);
    }

    private boolean beginClosing() {
        int s;
        do {
            s = state;
            if ((s & LIFE) != OPEN) {
                return false;
            }
        } while (!STATE.compareAndSet(this, s, (s & KEPT) | CLOSING));
        return true;
    }

    /**
     * close(2) now: this thread moved the handle to CLOSING and nobody is inside. A compare-and-set, because one
     * other change of a CLOSING handle's life can race it: {@link #loseDescriptor()}, when code outside closed the
     * number behind this handle's back and the kernel gave it to a new pipe, whose descriptor must then not be
     * closed here.
     */
    private void closeNow() {
        if (moveLife(CLOSING, FINISHING)) {
            finish();
        }
    }

    private void deferClose() {
        if (moveLife(CLOSING, CLOSE_DEFERRED) && !finishDeferred()) { // the last thread may have left since it was seen
            // The Waker finishes it once the last thread is out. A thread that backs out of a call before it
            // announced itself (it saw CLOSING) never had the handle watched: watch it here.
            watch();
        }
    }

    /** Calls close(2) of a deferred close once nobody is inside (the Waker and the closer call this); idempotent. */
    boolean finishDeferred() {
        if ((state & LIFE) != CLOSE_DEFERRED || visitInside(null) != 0 || !moveLife(CLOSE_DEFERRED, FINISHING)) {
            return false;
        }
        finish();
        return true;
    }

    /** Whether close(2) waits for the last thread to leave. */
    boolean isCloseDeferred() {
        return (state & LIFE) == CLOSE_DEFERRED;
    }

    /** Whether close(2) was called, or left to the last thread out: what a second closer waits for. */
    boolean isClosedOrDeferred() {
        int life = state & LIFE;
        return life == CLOSED || life == CLOSE_DEFERRED;
    }

    private void finish() {
        IO.close(fd); // never retried, not even on EINTR: on Linux the fd is released whatever close returns
        STATE.setRelease(this, CLOSED); // WATCHED no longer matters: the Waker drops a closed handle with nobody inside
        FdRegistry.release(this); // after close(2): until then the number is this handle's
    }

    /** Whether no thread is inside, cheaply: true for most handles, which never had two callers at once. */
    private boolean nobodyInside() {
        ThreadContext first = (ThreadContext) OWNER.getVolatile(this);
        return (first == null || first.call != this) && more == null;
    }

    /**
     * A newer handle got this one's number from the kernel, so this one lost its descriptor to code that closed it
     * behind its back: it must never call close(2) on the number again.
     *
     * @return false when this handle was just closing its descriptor itself (the kernel reused it at once), or was
     *         an adopt still checking a number that was not open (it owned nothing)
     */
    boolean loseDescriptor() {
        while (true) {
            int s = state;
            int life = s & LIFE;
            if (life == FINISHING || life == CLOSED) {
                return false;
            }
            if (STATE.compareAndSet(this, s, (s & KEPT) | CLOSED)) {
                return life != ADOPTING; // an adopt still checking owned nothing: its check now fails
            }
        }
    }

    private boolean moveLife(int from, int to) {
        while (true) {
            int s = state;
            if ((s & LIFE) != from) {
                return false;
            }
            if (STATE.compareAndSet(this, s, (s & KEPT) | to)) {
                return true;
            }
        }
    }

    private void setLife(int life) {
        int s;
        do {
            s = state;
        } while (!STATE.compareAndSet(this, s, (s & KEPT) | life));
    }

    /** Visits every thread inside a call on this descriptor (none if {@code visitor} is null); returns how many. */
    int visitInside(Visitor visitor) {
        int count = 0;
        ThreadContext first = (ThreadContext) OWNER.getVolatile(this);
        if (first != null && first.call == this) {
            count++;
            if (visitor != null) {
                visitor.visit(first);
            }
        }
        for (Slots chunk = more; chunk != null; chunk = chunk.next) {
            for (int i = 0; i < Slots.SIZE; i++) {
                ThreadContext context = chunk.get(i);
                if (context != null) {
                    count++;
                    if (visitor != null) {
                        visitor.visit(context);
                    }
                }
            }
        }
        return count;
    }

    /** What {@link #visitInside} calls for each thread inside. */
    interface Visitor {
        void visit(ThreadContext context);
    }

    /** {@link LeakGuard}'s action: the owner became unreachable without close(). */
    @Override
    public final void run() {
        if ((state & LIFE) != OPEN) {
            return; // closed or being closed by whoever moved it out of OPEN
        }
        close(); // first: a logger that fails must not leave the descriptor open
        Throwable origin = origin();
        if (origin != null) {
            Log.log(System.Logger.Level.WARNING, "token pipe end fd " + fd
                    + " was garbage-collected without close(); closed it. It was made here:", origin);
        } else {
            Log.log(System.Logger.Level.DEBUG, "token pipe end fd " + fd + " was garbage-collected without close();"
                    + " closed it (run with -Dtokenpipe.leakDetection=true to see where it was made)");
        }
    }

    @Override
    public String toString() {
        return hasNoDescriptor() ? "closed" : "fd=" + fd + ", " + ((state & LIFE) == ADOPTING ? "being adopted"
                : isOpen() ? "open" : "closed");
    }

    /** A handle made with leak detection on: it keeps where its pipe was made. */
    private static final class Traced extends FdHandle {
        private final Throwable origin;

        Traced(int fd, Object owner, Throwable origin) {
            super(fd, owner);
            this.origin = origin;
        }

        @Override
        Throwable origin() {
            return origin;
        }
    }
}
