package io.tokenpipe.internal;

import com.sun.jna.Native;

/** pipe2(2), where the C library has it (Linux, the BSDs; not macOS). Kept apart so that its absence is not fatal. */
final class Pipe2 {
    static final boolean AVAILABLE;

    static {
        boolean available;
        try {
            Native.register(Pipe2.class, PosixLibc.LIBC);
            available = true;
        } catch (UnsatisfiedLinkError e) {
            available = false;
        }
        AVAILABLE = available;
    }

    private Pipe2() {
    }

    static native int pipe2(long fds, int flags);
}
