package io.tokenpipe;

import io.tokenpipe.internal.NativeIo;

/**
 * Test helper: gives an end's descriptor to someone else in this process (the readiness notifier, which adopts
 * it by number), the way a hand-off to a child process does, so that exactly one object owns the descriptor.
 */
public final class HandOver {
    private HandOver() {
    }

    /**
     * Releases {@code end}'s descriptor without closing it. The end behaves as closed from now on; never call
     * {@code close()} on it (it would wait for a hand-off to finish that never comes).
     *
     * @return the descriptor number, now owned by whoever adopts it
     */
    public static int release(TokenPipeEnd end) {
        int fd = end.handle().beginHandOff();
        if (fd < 0) {
            throw new IllegalStateException(end + " is not open");
        }
        return fd;
    }

    /** Closes a released descriptor that nobody adopted. */
    public static void closeReleased(int fd) {
        if (NativeIo.get().close(fd) != 0) {
            throw new IllegalStateException("close(" + fd + ") failed, errno " + NativeIo.get().errno());
        }
    }
}
