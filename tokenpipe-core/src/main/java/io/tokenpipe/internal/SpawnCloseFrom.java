package io.tokenpipe.internal;

import com.sun.jna.Native;

/**
 * posix_spawn_file_actions_addclosefrom_np (glibc 2.34 and later): closes, in the child, every descriptor
 * from a number up. Kept apart so that its absence (older glibc, musl, macOS) is not fatal.
 */
final class SpawnCloseFrom {
    static final boolean AVAILABLE;

    static {
        boolean available;
        try {
            Native.register(SpawnCloseFrom.class, PosixLibc.LIBC);
            available = true;
        } catch (UnsatisfiedLinkError e) {
            available = false;
        }
        AVAILABLE = available;
    }

    private SpawnCloseFrom() {
    }

    /** Returns 0 or an error number, like the other file actions. */
    static native int posix_spawn_file_actions_addclosefrom_np(long fileActions, int from);
}
