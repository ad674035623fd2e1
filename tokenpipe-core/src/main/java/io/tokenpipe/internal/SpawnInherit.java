package io.tokenpipe.internal;

import com.sun.jna.Native;

/**
 * posix_spawn_file_actions_addinherit_np (macOS only): keeps a descriptor open in a child started with
 * POSIX_SPAWN_CLOEXEC_DEFAULT, which otherwise closes every descriptor no file action names, even 0-2.
 * Kept apart because no other C library has it.
 */
final class SpawnInherit {
    static final boolean AVAILABLE;

    static {
        boolean available;
        try {
            Native.register(SpawnInherit.class, PosixLibc.LIBC);
            available = true;
        } catch (UnsatisfiedLinkError e) {
            available = false;
        }
        AVAILABLE = available;
    }

    private SpawnInherit() {
    }

    /** Returns 0 or an error number. */
    static native int posix_spawn_file_actions_addinherit_np(long fileActions, int fd);
}
