package io.tokenpipe.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * What the token path needs per thread: a native scratch buffer (one per thread, so that threads sharing an
 * end never share a buffer), the native thread id to wake it by, and which descriptor it is in a call on.
 *
 * <p>{@link #call} is the heart of the close protocol. A caller publishes the handle it is about to use
 * (a volatile store) and then checks the handle's state (a volatile load); {@code close} changes the state
 * and then looks for threads whose {@code call} is that handle. Both sides write before they read, so at
 * least one of them sees the other: either the caller sees "closing" and backs out, or the closer sees the
 * caller, wakes it and waits for it to leave. No thread is ever inside a system call on a closed fd.
 */
public final class ThreadContext {
    private static final ThreadLocal<ThreadContext> CURRENT = ThreadLocal.withInitial(ThreadContext::register);
    private static final VarHandle CALL;
    /** Thread.isVirtual() on Java 21 and later; null before. */
    private static final MethodHandle IS_VIRTUAL;
    private static volatile ThreadContext[] all = new ThreadContext[0];

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
     * A virtual thread runs on whichever carrier thread is free, so its native id is the carrier's and changes:
     * it is taken again before every system call (while in native code it cannot move).
     */
    private final boolean virtual;
    /** The native id by which {@link NativeIo#wake} reaches this thread. */
    private volatile long threadId;
    public final ByteBuffer scratch;
    public final long scratchAddress;
    /** The handle this thread is in a call on, or null. */
    volatile FdHandle call;
    /** System.nanoTime() by which the current call must end; meaningful when {@link #timed}. */
    long deadline;
    boolean timed;
    /** errno of this thread's last failed call on a handle. */
    int errno;
    /** Set by {@link #wake()}, consumed after a failed system call (see {@link NativeIo#isWakeUp}). */
    private volatile boolean woken;

    private ThreadContext(Thread thread, boolean virtual, long threadId) {
        this.thread = thread;
        this.virtual = virtual;
        this.threadId = threadId;
        this.scratch = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        this.scratchAddress = NativeIo.get().backend().address(scratch);
    }

    /** The calling thread's context; only valid while {@link NativeIo#get()} is not null. */
    public static ThreadContext current() {
        return CURRENT.get();
    }

    /** Every live thread that has used a token pipe. */
    static ThreadContext[] all() {
        return all;
    }

    /** The native id by which this thread is woken (Linux: its tid). */
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

    void enter(FdHandle handle) {
        call = handle;
    }

    void leave() {
        CALL.setRelease(this, (FdHandle) null);
    }

    /** Before the system calls of a call: a virtual thread takes the id of the carrier it now runs on. */
    void beforeSystemCalls() {
        if (virtual) {
            threadId = NativeIo.get().currentThreadId();
        }
    }

    void wake() {
        woken = true;
        NativeIo.get().wake(threadId);
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

    private static ThreadContext register() {
        Thread thread = Thread.currentThread();
        ThreadContext context = new ThreadContext(thread, isVirtual(thread), NativeIo.get().currentThreadId());
        synchronized (ThreadContext.class) {
            List<ThreadContext> live = new ArrayList<>(all.length + 1);
            for (ThreadContext c : all) {
                if (c.thread.isAlive()) {
                    live.add(c);
                }
            }
            live.add(context);
            all = live.toArray(new ThreadContext[0]);
        }
        return context;
    }
}
