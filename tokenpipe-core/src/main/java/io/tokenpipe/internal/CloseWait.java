package io.tokenpipe.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * How a closer (or a hand-off) waits for the threads inside an {@link FdHandle} to leave: it signals them at once,
 * then again at growing intervals (a signal that arrives just before a thread enters its system call is lost), each
 * time only if the last signal is no longer pending there ({@link ThreadContext#wake}: the signal queues); a
 * thread still inside 20 ms after the first signal is looked at ({@link ThreadContext#cannotBeWoken}), and one that
 * cannot be woken (asleep in its system call with the signal blocked), or cannot be signalled at all (the queue of
 * pending signals is full), is not waited for: the close is left to the {@link Waker}, which probes that thread
 * until its call ends. It spins only briefly, then parks; the caller's interrupt is cleared for the wait (parking
 * with the flag set returns at once, which would be a spin) and restored afterwards.
 */
final class CloseWait implements FdHandle.Visitor {
    /** A thread still inside is signalled again after 50 us, then at doubling intervals up to 10 ms. */
    private static final long FIRST_RESIGNAL_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long MAX_RESIGNAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** A thread still inside this long after the first signal is looked at: is the signal blocked? */
    static final long DIAGNOSE_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    static final long DIAGNOSE_AGAIN_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long SLOW_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final FdHandle handle;
    private final boolean handOff;
    private final long start = System.nanoTime();
    // per round
    private boolean signal;
    private boolean diagnose;
    private long now;
    private int inside;
    private int wakeable;

    private CloseWait(FdHandle handle, boolean handOff) {
        this.handle = handle;
        this.handOff = handOff;
    }

    /**
     * Wakes the threads inside {@code handle} until they have left.
     *
     * @return true when no thread is inside; false when only threads that cannot be woken are
     */
    static boolean untilNobodyInside(FdHandle handle, boolean handOff) {
        boolean interrupted = Thread.interrupted();
        try {
            return new CloseWait(handle, handOff).run();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean run() {
        long nextSignal = start;
        long interval = FIRST_RESIGNAL_NANOS;
        long nextDiagnosis = start + DIAGNOSE_AFTER_NANOS;
        boolean loggedSlow = false;
        boolean interrupted = false;
        try {
            for (int round = 0; ; round++) {
                now = System.nanoTime();
                signal = now - nextSignal >= 0;
                diagnose = now - nextDiagnosis >= 0;
                inside = 0;
                wakeable = 0;
                handle.visitInside(this);
                if (inside == 0) {
                    return true;
                }
                if (wakeable == 0) {
                    return false;
                }
                if (signal) {
                    nextSignal = now + interval;
                    interval = Math.min(2 * interval, MAX_RESIGNAL_NANOS);
                }
                if (diagnose) {
                    nextDiagnosis = now + DIAGNOSE_AGAIN_NANOS;
                }
                if (!loggedSlow && now - start >= SLOW_NANOS) {
                    loggedSlow = true;
                    logSlow();
                }
                pause(round);
                interrupted |= Thread.interrupted();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt(); // interrupted during the wait: that interrupt stands
            }
        }
    }

    private void logSlow() {
        try { // building the message may run out of memory: the close must go on
            Log.log(System.Logger.Level.WARNING, "closing fd " + handle.fd() + " has waited "
                    + (now - start) / 1_000_000 + " ms for " + wakeable + " thread(s) to leave their call on"
                    + " it; they do not block the wake-up signal: suspended (a debugger, SIGSTOP) or not"
                    + " getting CPU time?");
        } catch (Throwable messageLost) {
            // lost, as with a logging backend that fails (Log)
        }
    }

    @Override
    public void visit(ThreadContext context) {
        inside++;
        if (context.stuckInThisCall() || (diagnose && cannotBeWoken(context))) {
            return;
        }
        if (signal && !context.wake() && now - start >= DIAGNOSE_AFTER_NANOS) {
            // The signal has not been sent for as long as a diagnosis waits (the queue of pending signals is full:
            // logged once): not waited for, as one that cannot be woken; the Waker goes on signalling it and closes
            // the descriptor once it has left. A failure before that is retried: the queue may drain at once, and a
            // hand-off that stopped waiting would leave a thread of this process reading from the child's pipe.
            return;
        }
        wakeable++;
    }

    /**
     * Whether the thread cannot be woken; also true when finding out failed (out of memory reading /proc or building
     * the message): then the closer does not wait for it either, and leaves close(2) to the {@link Waker}, which
     * wakes the threads inside a closed handle until they have left. Waiting instead could wait for ever.
     */
    private boolean cannotBeWoken(ThreadContext context) {
        try {
            return context.cannotBeWoken(whatHappens(), now - start);
        } catch (Throwable outOfMemory) {
            return true;
        }
    }

    private String whatHappens() {
        return handOff ? "the hand-off of fd " + handle.fd() + " goes ahead without waiting for it, and this process"
                + " closes its copy once that call returns" : "close() of fd " + handle.fd() + " returns without"
                + " waiting for it, and close(2) follows once that call returns";
    }

    /** For a second closer: waits, without spinning, until the first one has closed (or deferred) the descriptor. */
    static void untilClosed(FdHandle handle) {
        boolean interrupted = Thread.interrupted();
        try {
            for (int round = 0; !handle.isClosedOrDeferred(); round++) {
                pause(round);
                interrupted |= Thread.interrupted();
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Spin a little, then yield, then sleep from 20 us growing to 1 ms: a woken thread leaves in microseconds. */
    static void pause(int round) {
        if (round < 8) {
            Thread.onSpinWait();
        } else if (round < 16) {
            Thread.yield();
        } else {
            LockSupport.parkNanos(Math.min(1_000_000L, 20_000L << Math.min(round - 16, 6)));
        }
    }
}
