package io.tokenpipe.internal;

import com.sun.jna.Native;

/**
 * posix_spawn_file_actions_addchdir_np (glibc 2.29 and later, macOS 10.15 and later): changes the child's
 * working directory. Kept apart so that its absence only disables {@code directory(...)}.
 */
final class SpawnChdir {
    static final boolean AVAILABLE;

    static {
        boolean available;
        try {
            Native.register(SpawnChdir.class, PosixLibc.LIBC);
            available = true;
        } catch (UnsatisfiedLinkError e) {
            available = false;
        }
        AVAILABLE = available;
    }

    private SpawnChdir() {
    }

    /** Returns 0 or an error number. */
    static native int posix_spawn_file_actions_addchdir_np(long fileActions, long path);
}
