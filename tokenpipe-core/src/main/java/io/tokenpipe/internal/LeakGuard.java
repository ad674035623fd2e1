package io.tokenpipe.internal;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;

/**
 * The safety net for ends nobody closed: every guarded {@link FdHandle} is a phantom reference to the end that
 * owns it, kept reachable here while its descriptor is open. When the end becomes unreachable the garbage
 * collector queues the handle, and the one daemon thread {@code tokenpipe-cleaner} closes it.
 *
 * <p>Why not {@link java.lang.ref.Cleaner}: a Cleaner allocates a 48-byte cleanable per end and clears it on
 * close (a call into the VM); register and clean of a pipe's two ends measured 160 ns, 3.5% of a pipe's
 * create+close. Here the handle itself is the reference and a closed handle is only unlinked: once nothing
 * here holds it, it dies with its end and is never queued. The list is split by fd into stripes, each with its
 * own lock, so threads making and closing pipes at once rarely meet.
 */
final class LeakGuard {
    private static final int STRIPES = 8; // a power of two
    private static final Stripe[] STRIPE = new Stripe[STRIPES];
    static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();

    static {
        for (int i = 0; i < STRIPES; i++) {
            STRIPE[i] = new Stripe();
        }
        Thread thread = new Thread(LeakGuard::closeQueued, "tokenpipe-cleaner");
        thread.setDaemon(true);
        thread.start();
    }

    private LeakGuard() {
    }

    /** Keeps {@code handle} reachable, so that it is queued when its end is collected. */
    static void watch(FdHandle handle) {
        Stripe stripe = STRIPE[handle.fd() & (STRIPES - 1)];
        synchronized (stripe) {
            handle.guardNext = stripe.head;
            if (stripe.head != null) {
                stripe.head.guardPrevious = handle;
            }
            stripe.head = handle;
        }
    }

    /** Lets {@code handle} go (its descriptor is closed or handed off); idempotent. */
    static void release(FdHandle handle) {
        Stripe stripe = STRIPE[handle.fd() & (STRIPES - 1)];
        synchronized (stripe) {
            if (handle.guardPrevious == null && stripe.head != handle) {
                return; // not in the list: never watched, or already released
            }
            FdHandle previous = handle.guardPrevious;
            FdHandle next = handle.guardNext;
            if (previous == null) {
                stripe.head = next;
            } else {
                previous.guardNext = next;
            }
            if (next != null) {
                next.guardPrevious = previous;
            }
            handle.guardPrevious = null;
            handle.guardNext = null;
        }
    }

    private static void closeQueued() {
        while (true) {
            try {
                Reference<?> collected = QUEUE.remove();
                ((FdHandle) collected).run();
            } catch (Throwable e) { // InterruptedException, or a logger that failed: keep guarding
            }
        }
    }

    /** One lock and the head of a doubly-linked list through {@link FdHandle#guardNext}. */
    private static final class Stripe {
        FdHandle head;
    }
}
