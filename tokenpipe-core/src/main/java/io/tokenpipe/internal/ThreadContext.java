package io.tokenpipe.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What the token path needs per thread: a native scratch buffer (one per thread, so that threads sharing an end
 * never share a buffer), the native thread id to wake it by, and whether the wake-up signal reaches it.
 *
 * <p>A context is made by the thread's first call and registered nowhere: a thread announces a call on a handle it
 * owns in {@link #call} and the handle knows its owner, other threads take a place in the handle; so close() finds
 * exactly the threads inside its handle, and the {@link Waker} watches only handles with calls in them. Making a
 * context costs the same whether ten or a hundred thousand threads made one before.
 *
 * <p>The signal mask: a thread that blocks the wake-up signal could not be woken from a blocked read. The mask of a
 * platform thread is read once, at its first token call (one system call; not when {@code make()} first needs the
 * context's buffer, so that a fresh JVM's first pipe binds no function it does not call); a virtual thread takes
 * its carrier's, read the first time it runs on that carrier ({@link Carriers}). Where the signal is blocked, each
 * system call of a token call runs with only the wake-up signal unblocked, and the thread's own mask is put back
 * right after: the thread is woken exactly like any other, and its mask is the same whenever its code runs. A thread that blocks the
 * signal only after its first call is found out by the closer or the waker when it does not leave a call it was
 * woken from ({@link #SIGNAL_BLOCKED_IN_CALL}); from its next call on it is served the same way. Found out means seen
 * asleep in its token system call with the signal blocked, never merely a mask that shows the signal, which every
 * thread's does for a moment now and then (see {@link NativeIo#whyNotWoken}).
 */
public final class ThreadContext {
    /** The wake-up signal reaches this thread. */
    static final int SIGNAL_DELIVERED = 0;
    /** This thread blocks the wake-up signal: each system call runs with it unblocked for the duration. */
    static final int SIGNAL_BLOCKED = 1;
    /**
     * This thread blocks the signal, and was found out while inside its current call, which therefore cannot be
     * woken: a closer does not wait for it, and it is signalled again only now and then, and only while the last
     * signal is no longer pending there ({@link #wakeUnlessPending}: a blocked real-time signal would only queue
     * up; should the diagnosis ever be wrong, this still ends the call). Its next call runs as
     * {@link #SIGNAL_BLOCKED}.
     */
    static final int SIGNAL_BLOCKED_IN_CALL = 2;
    /** A platform thread that has not made a token call yet: its mask is read at its first ({@link #startCall()}). */
    static final int SIGNAL_NOT_CHECKED = 3;
    /** Bytes 0-7: the token or pipe()'s two descriptors; 8-15: a struct pollfd; 16-143: a sigset_t (128 B in glibc). */
    private static final int SCRATCH_SIZE = 144;
    static final int MASK_OFFSET = 16;

    /** {@code -Dtokenpipe.maskCheck=everyCall}: every call unblocks the signal around its system calls. */
    private static final boolean MASK_CHECK_EVERY_CALL = MaskCheck.everyCall(); // validated by NativeIo's load
    /** A subclass, not withInitial(ThreadContext::create): a lambda costs a fresh JVM's first make() its bootstrap. */
    private static final ThreadLocal<ThreadContext> CURRENT = new ThreadLocal<>() {
        @Override
        protected ThreadContext initialValue() {
            return create();
        }
    };
    private static final VarHandle CALL;
    /** Thread.isVirtual() on Java 21 and later; null before. */
    private static final MethodHandle IS_VIRTUAL;

    static {
        try {
            CALL = MethodHandles.lookup().findVarHandle(ThreadContext.class, "call", FdHandle.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        MethodHandle isVirtual;
        try {
            isVirtual = MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException beforeJava21) {
            isVirtual = null;
        }
        IS_VIRTUAL = isVirtual;
    }

    final Thread thread;
    /**
     * A virtual thread runs on whichever carrier thread is free, so its native id is the carrier's and changes: it
     * is published just before each system call (in native code it cannot move) and cleared when the call ends, so
     * that nobody ever signals the carrier of an earlier call, by then running other code.
     */
    final boolean virtual;
    /** The native id by which {@link NativeIo#wake} reaches this thread; 0 for a virtual thread outside a call. */
    private volatile long threadId;
    public final ByteBuffer scratch;
    public final long scratchAddress;
    /** System.nanoTime() by which the current call must end; meaningful when {@link #timed}. */
    long deadline;
    boolean timed;
    /** errno of this thread's last failed call on a handle. */
    int errno;
    /** One of the SIGNAL_ modes; changed by closers and the waker too. */
    volatile int signalMode;
    /** Whether why this thread could not be woken was logged (once per thread). */
    volatile boolean reported;
    /** Counts this thread's calls (written by it alone), so that a mark for one call never covers the next. */
    int calls;
    /**
     * The number of the last call that runs its system calls with the wake-up signal unblocked (decided by
     * {@link #startCall()} from the mode it found): such a call is wakeable whatever the mask says, and only a call
     * that is not one can be stuck. Per call, not from {@link #signalMode}, which a late finding of the call before
     * may have changed after this call started.
     */
    int unblockingCall = -1;
    /** The call that was found unable to be woken, meaningful with SIGNAL_BLOCKED_IN_CALL. */
    volatile int stuckCall;
    /** Set by {@link #wake()}, consumed after a failed system call (see {@link NativeIo#isWakeUp}). */
    private volatile boolean woken;
    /**
     * The call ({@link #calls}) and native id that the last signal sent to this thread was for; guarded by this
     * object's lock, which only senders take (closers, the waker), never the thread itself.
     */
    private int signalledCall;
    /** 0 when no signal sent to this thread may still be queued there. */
    private long signalledId;
    /**
     * The handle this thread is in a call on, when it owns that handle (see {@link FdHandle}), else null: written
     * by this thread only, one volatile store per call, read by closers and the waker.
     */
    volatile FdHandle call;
    /** Where this thread sits in the handle of its current call, when it does not own that handle. */
    Slots slots;
    int slotIndex;
    /** A virtual thread's carrier at its last system call, and whether that carrier blocks the wake-up signal. */
    private long carrierId;
    private boolean carrierBlocks;
    /**
     * The waker's bookkeeping, touched by the waker thread only, for call number {@code wakerCall} (a new call starts
     * afresh): when it first woke it (0: not yet), and when it next looks at why it has not left.
     */
    int wakerCall;
    long wakerFirstWake;
    long wakerNextLook;

    private ThreadContext(Thread thread, boolean virtual) {
        this.thread = thread;
        this.virtual = virtual;
        this.scratch = ByteBuffer.allocateDirect(SCRATCH_SIZE).order(ByteOrder.nativeOrder());
        this.scratchAddress = NativeIo.get().backend().address(scratch);
    }

    /** The calling thread's context; only valid while {@link NativeIo#get()} is not null. */
    public static ThreadContext current() {
        return CURRENT.get();
    }

    /**
     * The native id by which this thread is woken (Linux: its tid); for a virtual thread its carrier's while it is
     * in a system call, 0 otherwise.
     */
    public long threadId() {
        return threadId;
    }

    /** The errno of this thread's last failed call. */
    public int errno() {
        return errno;
    }

    /** The int at byte {@code offset} of the scratch buffer (where pipe() leaves the two descriptors). */
    public int scratchInt(int offset) {
        return scratch.getInt(offset);
    }

    /** Announces a call on {@code handle}, which this thread owns: the one volatile store of a call. */
    void announce(FdHandle handle) {
        call = handle;
    }

    /** Ends the call announced by {@link #announce}. */
    void withdraw() {
        CALL.setRelease(this, (FdHandle) null);
    }

    /**
     * At the start of each token call, before the thread announces itself.
     *
     * @return whether its system calls need {@link #beforeSystemCall} and {@link #afterSystemCall} around them
     */
    boolean startCall() {
        int call = ++calls;
        int mode = signalMode;
        if (mode == SIGNAL_BLOCKED_IN_CALL) {
            signalMode = mode = SIGNAL_BLOCKED; // the call it was stuck in is over
        } else if (mode == SIGNAL_NOT_CHECKED) {
            NativeIo io = NativeIo.get();
            signalMode = mode = io.blocksWakeUp(scratch, scratchAddress) ? SIGNAL_BLOCKED : SIGNAL_DELIVERED;
        }
        boolean unblocks = mode != SIGNAL_DELIVERED || MASK_CHECK_EVERY_CALL;
        if (unblocks) {
            unblockingCall = call; // published with calls by the announcement that follows
        }
        return virtual || unblocks;
    }

    /**
     * Whether the call this thread is in now was found unable to be woken: then a closer does not wait for it, and
     * the waker only probes it ({@link #wakeUnlessPending}).
     */
    boolean stuckInThisCall() {
        return signalMode == SIGNAL_BLOCKED_IN_CALL && stuckCall == calls;
    }

    /**
     * Right before a system call (when {@link #startCall()} said so): a virtual thread publishes its carrier's id, and a
     * thread that blocks the wake-up signal unblocks it.
     *
     * @return true when the signal was unblocked and {@link #afterSystemCall} must block it again
     */
    boolean beforeSystemCall() {
        NativeIo io = NativeIo.get();
        boolean blocks = signalMode != SIGNAL_DELIVERED || MASK_CHECK_EVERY_CALL;
        if (virtual) {
            long id = io.currentThreadId();
            if (id != carrierId) {
                carrierId = id;
                carrierBlocks = Carriers.blocksWakeUp(id, scratch, scratchAddress);
            }
            blocks |= carrierBlocks;
            threadId = id;
        }
        if (!blocks) {
            return false;
        }
        if (io.unblockWakeUp(scratch, scratchAddress)) {
            return true;
        }
        // It was not blocked after all (the thread unblocked it since, or the carrier does not block it).
        if (virtual) {
            carrierBlocks = false;
            Carriers.remember(carrierId, false);
        } else {
            signalMode = SIGNAL_DELIVERED;
        }
        return false;
    }

    /** Right after a system call, once its errno is saved. */
    void afterSystemCall(boolean unblocked) {
        if (unblocked) {
            NativeIo.get().blockWakeUp(scratchAddress);
        }
    }

    /** When a token call ends. */
    void endCall() {
        if (virtual) {
            threadId = 0;
        }
    }

    /**
     * Signals this thread, unless it is a virtual thread outside a system call (it checks its state first). The first
     * signal of a call (to its native id: a virtual thread's carrier) is sent at once, without looking at anything;
     * after that, another only when the last one is no longer pending at the thread ({@link NativeIo#wakeUpPending}).
     * The wake-up signal is a real-time signal: each instance sent to a thread that blocks it stays queued there,
     * counted against its user's RLIMIT_SIGPENDING, which every process of that user shares, and once that is full no
     * thread of any of them can be signalled. A re-signal is needed only when the last one was taken, by a thread
     * that got it just before it entered its system call, and then it is not pending any more. A first signal looks
     * too in one case: when the last one went to the same native thread in an earlier call and no system call of
     * the thread has failed since ({@link #woken} still set), so that it may still be queued there; else a thread
     * that blocks the signal, and whose calls each end by themselves before it is found out, would gather one per
     * call. A thread woken the usual way has failed with EINTR since, so its next first signal looks at nothing.
     * Where pending cannot be told (no /proc, macOS), every signal is sent. Under this object's lock, so that a
     * closer and the waker never both send what each takes for the one signal the thread needs.
     *
     * @return false when a signal was due and could not be sent (the queue of pending signals is full, see
     *     {@link NativeIo#wake}): a closer then does not wait for this thread
     */
    boolean wake() {
        if (signal(false)) {
            return true;
        }
        NativeIo.get().reportWakeFailure(); // outside this object's lock: logging can block
        return false;
    }

    private synchronized boolean signal(boolean unlessPending) {
        boolean unconsumed = woken; // no system call of the thread has failed since the last wake
        woken = true;
        long id = threadId;
        if (id == 0) {
            return true; // it checks its state before its next system call
        }
        int call = calls; // read after what showed this thread inside: the call it is in, or a later one
        NativeIo io = NativeIo.get();
        boolean look = unlessPending || (id == signalledId && (call == signalledCall || unconsumed));
        if (look && pending(io, id)) {
            return true; // the last one is still there: another would only queue up behind it
        }
        if (io.wake(id)) {
            signalledCall = call;
            signalledId = id;
            return true;
        }
        // signalledId and signalledCall stay: a signal sent before may still be queued there, so the next try looks
        return false;
    }

    /**
     * Called by a closer or the waker for a thread that did not leave a call it was woken from: finds out whether
     * the signal is blocked (or its handler broken), and if so marks this thread and logs why, once.
     *
     * @return true when this thread cannot be woken in its current call
     */
    boolean cannotBeWoken(String waiting, long signalledNanos) {
        int call = calls; // read after what showed this thread inside (its announcement, its slot): this call
        if (signalMode == SIGNAL_BLOCKED_IN_CALL && stuckCall == call) {
            return true;
        }
        if (unblockingCall == call) {
            return false; // it unblocks the signal for each system call: wakeable, only slow (its mask says nothing)
        }
        long id = threadId;
        String reason = id == 0 ? null : NativeIo.get().whyNotWoken(id, signalledNanos, scratchAddress);
        if (reason == null || calls != call) {
            return false; // wakeable, or it left the call while it was looked at: what was seen was another call
        }
        stuckCall = call;
        signalMode = SIGNAL_BLOCKED_IN_CALL;
        if (virtual) {
            Carriers.remember(id, true);
        }
        if (!reported) {
            reported = true;
            try { // building the message may run out of memory (a long thread name): the close must go on
                Log.log(System.Logger.Level.WARNING, "thread \"" + thread.getName() + "\" (native id " + id
                        + ") " + reason + ", so it cannot be woken from the call it is in: " + waiting + ". Its later"
                        + " calls run with the signal unblocked for their duration; to avoid this, do not block the"
                        + " signal in threads that use token pipes, or make their first token call after blocking it");
            } catch (Throwable messageLost) {
                // lost, as with a logging backend that fails (Log)
            }
        }
        return true;
    }

    /** Whether the wake-up signal is pending at thread {@code id}; false when that cannot be told. */
    private static boolean pending(NativeIo io, long id) {
        try { // reading /proc allocates: out of memory, the close or the waker's tick must go on
            return io.wakeUpPending(id);
        } catch (Throwable outOfMemory) {
            return false;
        }
    }

    /**
     * For a thread found unable to be woken in its current call: signals it only when the last signal is no longer
     * pending there, as every re-signal is ({@link #wake()}). A thread that blocks the signal keeps the first one
     * queued and gets no more; one that was found out wrongly has taken it (or never got one) and is woken now.
     */
    void wakeUnlessPending() {
        if (!signal(true)) {
            NativeIo.get().reportWakeFailure();
        }
    }

    /** Whether {@link #wake()} was called since the last time this was asked. */
    boolean consumeWoken() {
        boolean was = woken;
        if (was) {
            woken = false;
        }
        return was;
    }

    private static boolean isVirtual(Thread thread) {
        try {
            return IS_VIRTUAL != null && (boolean) IS_VIRTUAL.invokeExact(thread);
        } catch (Throwable e) {
            return false;
        }
    }

    private static ThreadContext create() {
        Thread thread = Thread.currentThread();
        ThreadContext context = new ThreadContext(thread, isVirtual(thread));
        if (!context.virtual) {
            context.threadId = NativeIo.get().currentThreadId();
            context.signalMode = SIGNAL_NOT_CHECKED;
        }
        return context;
    }
}
