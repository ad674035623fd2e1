package io.tokenpipe.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread that wakes threads blocked in a token call when their deadline passes or when they are
 * interrupted (Thread.interrupt() does not reach a thread blocked in a native read). It ticks while calls
 * are in progress and parks for good after a second without any, so an idle process pays nothing.
 *
 * <p>Callers pay one volatile read ({@link #parked}) per call; a timed call also reads {@link #plannedWake}.
 */
final class Waker implements Runnable {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int IDLE_TICKS_BEFORE_PARKING = 50;

    /** True while the waker is parked with no deadline (or not started): a caller must unpark it. */
    private static volatile boolean parked = true;
    /** nanoTime at which the waker will next look; a caller with an earlier deadline unparks it. */
    private static volatile long plannedWake;
    private static Thread thread;

    private Waker() {
    }

    /** After entering a call without deadline: make sure interrupts will be noticed. */
    static void onCall() {
        if (parked) {
            unpark();
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
        int idleTicks = 0;
        parked = false;
        while (true) {
            long now = System.nanoTime();
            long next = now + TICK_NANOS;
            plannedWake = next; // published before the scan: a call entered after it sees this bound
            boolean active = scan(now);
            if (active) {
                idleTicks = 0;
            } else if (++idleTicks >= IDLE_TICKS_BEFORE_PARKING) {
                parked = true; // published before the re-check: a call entered after it will unpark us
                if (!scan(now)) {
                    LockSupport.park(this);
                }
                parked = false;
                idleTicks = 0;
                continue;
            }
            long earliest = nextWake(now, next);
            plannedWake = earliest;
            LockSupport.parkNanos(this, Math.max(0, earliest - now));
        }
    }

    /** Wakes every thread in a call that is interrupted or past its deadline; true if any thread is in a call. */
    private static boolean scan(long now) {
        boolean active = false;
        for (ThreadContext context : ThreadContext.all()) {
            if (context.call == null) {
                continue;
            }
            active = true;
            if (context.thread.isInterrupted() || (context.timed && now - context.deadline >= 0)) {
                context.wake();
            }
        }
        return active;
    }

    /**
     * The earliest future deadline, or {@code next}. A thread already woken for its deadline but still in its
     * call (the signal came just before it entered the system call) is woken again after a millisecond.
     */
    private static long nextWake(long now, long next) {
        long earliest = next;
        for (ThreadContext context : ThreadContext.all()) {
            if (context.call != null && context.timed) {
                long at = context.deadline - now > 0 ? context.deadline : now + RETRY_NANOS;
                if (at - earliest < 0) {
                    earliest = at;
                }
            }
        }
        return earliest;
    }
}
