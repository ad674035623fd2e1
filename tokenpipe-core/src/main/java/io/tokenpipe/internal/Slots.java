package io.tokenpipe.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Eight places for threads inside a call on one {@link FdHandle} other than its owner (who announces itself in its
 * own context): a handle that several threads use gets a chain of these, added at its head and never replaced, so a
 * thread that took a place gives back exactly that place.
 */
final class Slots {
    static final int SIZE = 8;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(ThreadContext[].class);
    private final ThreadContext[] contexts = new ThreadContext[SIZE];
    final Slots next;

    Slots(Slots next) {
        this.next = next;
    }

    /** Takes a free place for {@code context} (one compare-and-set): its index, or -1 when all are taken. */
    int claim(ThreadContext context) {
        for (int i = 0; i < SIZE; i++) {
            if (SLOT.getOpaque(contexts, i) == null && SLOT.compareAndSet(contexts, i, null, context)) {
                return i;
            }
        }
        return -1;
    }

    /** Takes the first place only (Windows: the one caller allowed in at a time). */
    boolean claimFirst(ThreadContext context) {
        return SLOT.compareAndSet(contexts, 0, null, context);
    }

    void release(int index) {
        SLOT.setRelease(contexts, index, (ThreadContext) null);
    }

    ThreadContext get(int index) {
        return (ThreadContext) SLOT.getVolatile(contexts, index);
    }
}
