package io.tokenpipe.internal;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;

/**
 * The safety net for ends nobody closed: every {@link FdHandle} is a phantom reference to the end that owns it,
 * and {@link FdRegistry} keeps it reachable while its descriptor is open. When the end becomes unreachable the
 * garbage collector queues the handle, and the one daemon thread {@code tokenpipe-cleaner} closes it.
 *
 * <p>Why not {@link java.lang.ref.Cleaner}: a Cleaner allocates a 48-byte cleanable per end and clears it on
 * close (a call into the VM); register and clean of a pipe's two ends measured 160 ns, 3.5% of a pipe's
 * create+close. Here the handle itself is the reference and the registry slot that owns the descriptor is what
 * holds it: once the slot is released, it dies with its end and is never queued.
 */
final class LeakGuard {
    static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();

    static {
        Thread thread = new Thread(new Runnable() { // not a lambda: see ThreadContext.CURRENT
            @Override
            public void run() {
                closeQueued();
            }
        }, "tokenpipe-cleaner");
        thread.setDaemon(true);
        thread.start();
    }

    private LeakGuard() {
    }

    private static void closeQueued() {
        while (true) {
            try {
                Thread.interrupted(); // nobody may stop this thread: an interrupt is cleared and ignored
                Reference<?> collected = QUEUE.remove();
                ((FdHandle) collected).run();
            } catch (Throwable e) { // InterruptedException, or a logger that failed: keep guarding
            }
        }
    }
}
