package io.tokenpipe.internal;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread that wakes threads blocked in a token call when their deadline passes or when they are
 * interrupted (Thread.interrupt() does not reach a thread blocked in a native read), and calls close(2) for a close
 * that could not wait (see {@link FdHandle}).
 *
 * <p>It watches handles, not threads: the first call that finds a handle unwatched adds it here (to an array, under a
 * lock, which is uncontended: a handle is added once per watching period, never per token), and the Waker drops a
 * handle again once no call has been inside it for {@value #IDLE_TICKS_BEFORE_UNWATCH} ticks. So it looks only at
 * handles that have calls in them, whatever the number of threads; it ticks every 20 ms while it watches any, sooner
 * for a near deadline, and parks for good (no CPU at all) once it watches none.
 *
 * <p>It belongs to no caller: an interrupt is cleared and ignored (parking with the flag set would return at once,
 * and the thread would spin).
 */
final class Waker implements Runnable, FdHandle.Visitor {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** How often a thread found unable to be woken is signalled again, if its last signal is no longer pending. */
    static final long PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final int IDLE_TICKS_BEFORE_UNWATCH = 50;
    private static final int INITIAL_CAPACITY = 64;

    /** Guards {@link #incoming} and {@link #incomingCount}. */
    private static final Object LOCK = new Object();
    /**
     * Handles to start watching, in {@code incoming[0 .. incomingCount)}. The Waker takes them by swapping this array
     * with its own empty {@link #spare}, so neither a watch nor a tick allocates once the arrays are big enough (a
     * watch doubles a full one). An array rather than a list linked through a field of each handle: that field
     * would take every handle from 48 to 56 B.
     */
    private static FdHandle[] incoming = new FdHandle[INITIAL_CAPACITY];
    private static int incomingCount;
    /** True while the Waker is parked with no deadline (or not started): whoever adds a handle unparks it. */
    private static volatile boolean parked = true;
    /** nanoTime at which the Waker will next look; a caller with an earlier deadline unparks it. */
    private static volatile long plannedWake;
    private static Thread thread;

    /** The Waker's array to swap in for {@link #incoming} (swapped under {@link #LOCK}); all null between takes. */
    private FdHandle[] spare = new FdHandle[INITIAL_CAPACITY];
    /** The handles watched, with how many ticks in a row each had no call inside; this thread's own. */
    private FdHandle[] watched = new FdHandle[INITIAL_CAPACITY];
    private int[] idleTicks = new int[INITIAL_CAPACITY];
    private int count;
    /**
     * Per visit: the time of this tick, the earliest next look, whether a thread was inside, and whether the handle
     * was closed (or its close deferred) with threads still inside: those are due, whatever their deadline.
     */
    private long now;
    private long earliest;
    private boolean anyInside;
    private boolean abandoned;
    /** Whether a failed tick was logged (once). */
    private boolean failureLogged;

    private Waker() {
    }

    /**
     * A call entered {@code handle} and set its WATCHED bit, or a close was deferred: the Waker takes it on. Never
     * gives up: a handle marked watched but on no list would never be served (a caller who saw the bit set skipped
     * this, and a deferred close would never call close(2)). Without memory to grow the array it waits for some.
     */
    static void watch(FdHandle handle) {
        while (!add(handle)) {
            LockSupport.parkNanos(RETRY_NANOS);
        }
        // Read after the lock is released: a Waker that sets it later re-checks under the lock and sees this handle.
        if (parked) {
            unpark();
        }
    }

    /** Adds {@code handle} to the incoming array; false (nothing changed) when a full array cannot grow. */
    private static boolean add(FdHandle handle) {
        synchronized (LOCK) {
            if (incomingCount == incoming.length) {
                try {
                    incoming = Arrays.copyOf(incoming, 2 * incomingCount);
                } catch (OutOfMemoryError full) {
                    return false;
                }
            }
            incoming[incomingCount++] = handle;
            return true;
        }
    }

    /** After entering a call with a deadline. */
    static void onTimedCall(long deadline) {
        if (parked || deadline - plannedWake < 0) {
            unpark();
        }
    }

    private static void unpark() {
        Thread t;
        synchronized (Waker.class) {
            if (thread == null) {
                Thread started = new Thread(new Waker(), "tokenpipe-waker");
                started.setDaemon(true);
                started.start(); // may throw (no memory for a thread): then the next call tries again
                thread = started;
            }
            t = thread;
        }
        LockSupport.unpark(t);
    }

    @Override
    public void run() {
        parked = false;
        while (true) {
            try {
                tick();
            } catch (Throwable unexpected) {
                // Whatever went wrong in one tick (a logging backend that throws, an out-of-memory), the Waker
                // must live on: without it no timeout, interrupt or deferred close reaches a blocked call again.
                if (!failureLogged) {
                    failureLogged = true;
                    Log.log(System.Logger.Level.ERROR, "tokenpipe-waker: a tick failed; it goes on",
                            unexpected);
                }
                parked = false;
                LockSupport.parkNanos(this, TICK_NANOS); // no spin if it fails again at once
            }
        }
    }

    /** One round: take new handles, visit the watched ones, park until the earliest next look. */
    private void tick() {
        Thread.interrupted(); // nobody may stop this thread
        now = System.nanoTime();
        long next = now + TICK_NANOS;
        plannedWake = next; // published before the visit: a call entered after it sees this bound
        takeIncoming();
        earliest = next;
        visitWatched();
        if (count == 0) {
            parked = true; // published before the re-check: a handle added after it will unpark us
            if (!hasIncoming()) {
                LockSupport.park(this);
            }
            parked = false;
            return;
        }
        plannedWake = earliest;
        LockSupport.parkNanos(this, Math.max(0, earliest - System.nanoTime()));
    }

    /** Under the lock, so it sees every handle whose watch() released the lock before this took it. */
    private static boolean hasIncoming() {
        synchronized (LOCK) {
            return incomingCount > 0;
        }
    }

    /** Moves the incoming handles to {@link #watched}; an allocation that fails leaves them all for the next tick. */
    private void takeIncoming() {
        int n;
        synchronized (LOCK) {
            n = incomingCount;
            if (n == 0) {
                return;
            }
            int length = watched.length;
            while (length < count + n) {
                length *= 2;
            }
            if (length != watched.length) {
                resize(length);
            }
            FdHandle[] taken = incoming;
            incoming = spare;
            spare = taken;
            incomingCount = 0;
        }
        for (int i = 0; i < n; i++) { // spare is the Waker's alone now
            watched[count] = spare[i];
            idleTicks[count] = 0;
            count++;
            spare[i] = null;
        }
        if (n < spare.length / 4 && spare.length > INITIAL_CAPACITY) { // shrink after a crowd of first calls
            try {
                spare = new FdHandle[INITIAL_CAPACITY];
            } catch (OutOfMemoryError keepTheBigOne) {
                // it is empty and still works
            }
        }
    }

    /** Both arrays at once, assigned only once both exist: a failed allocation leaves them as they were. */
    private void resize(int length) {
        FdHandle[] newWatched = Arrays.copyOf(watched, length);
        int[] newIdleTicks = Arrays.copyOf(idleTicks, length);
        watched = newWatched;
        idleTicks = newIdleTicks;
    }

    private void visitWatched() {
        for (int i = 0; i < count; ) {
            FdHandle handle = watched[i];
            anyInside = false;
            abandoned = handle.isClosedOrDeferred();
            handle.visitInside(this);
            if (handle.isCloseDeferred()) {
                handle.finishDeferred(); // the thread that could not be woken has left
            }
            boolean keep = true;
            if (anyInside) {
                idleTicks[i] = 0;
            } else if (++idleTicks[i] >= IDLE_TICKS_BEFORE_UNWATCH && !handle.isCloseDeferred()) {
                keep = !handle.unwatch();
            }
            if (keep) {
                i++;
            } else { // remove by moving the last one here
                count--;
                watched[i] = watched[count];
                idleTicks[i] = idleTicks[count];
                watched[count] = null;
            }
        }
        if (count < watched.length / 4 && watched.length > INITIAL_CAPACITY) { // shrink after a crowd has gone
            resize(watched.length / 2);
        }
    }

    /**
     * A thread inside a watched handle: woken when it is interrupted, past its deadline, or inside a handle that
     * was closed without waiting for it, then again every millisecond while it stays inside, each time only if the
     * last signal is no longer pending there ({@link ThreadContext#wake}: the signal queues). One still inside 20 ms
     * after the first wake of this call is looked at (then every second), and one found unable to be woken (asleep
     * in its system call with the signal blocked) is signalled only every {@value #PROBE_NANOS} ns, and only when
     * its last signal is no longer pending there, until its call ends.
     */
    @Override
    public void visit(ThreadContext context) {
        anyInside = true;
        int call = context.calls; // read after what showed the thread inside: the call it is in
        if (call != context.wakerCall) {
            context.wakerCall = call; // a call not seen before: nothing learned about an earlier one counts
            context.wakerFirstWake = 0;
        }
        boolean due = abandoned || context.thread.isInterrupted()
                || (context.timed && now - context.deadline >= 0);
        if (!due) {
            context.wakerFirstWake = 0;
            if (context.timed && context.deadline - earliest < 0) {
                earliest = context.deadline;
            }
            return;
        }
        if (context.wakerFirstWake == 0) {
            context.wakerFirstWake = now;
            context.wakerNextLook = now + CloseWait.DIAGNOSE_AFTER_NANOS;
        } else if (now - context.wakerNextLook >= 0) {
            look(context);
        }
        if (context.stuckInThisCall()) {
            return; // found unable to be woken in this call (by a closer or by look): only probed
        }
        context.wake();
        long retry = now + RETRY_NANOS;
        if (retry - earliest < 0) {
            earliest = retry;
        }
    }

    /** A due thread still inside long after its first wake: probe it if it is marked, else find out why. */
    private void look(ThreadContext context) {
        if (context.stuckInThisCall()) {
            context.wakerNextLook = now + PROBE_NANOS;
            context.wakeUnlessPending();
            return;
        }
        context.wakerNextLook = now + CloseWait.DIAGNOSE_AGAIN_NANOS;
        try { // out of memory (reading /proc, building the message) must not keep the other handles unserved
            if (context.cannotBeWoken(abandoned ? "its call on a closed descriptor ends only when its system call"
                    + " returns (a token, end of stream, or close by the peer)" : "its "
                    + (context.thread.isInterrupted() ? "interrupt" : "timeout") + " takes effect only once that call"
                    + " returns (a token, end of stream, or close by the peer)", now - context.wakerFirstWake)) {
                context.wakerNextLook = now + PROBE_NANOS;
            }
        } catch (Throwable outOfMemory) {
            // taken as wakeable: it is signalled on, and looked at again a second later
        }
    }
}
