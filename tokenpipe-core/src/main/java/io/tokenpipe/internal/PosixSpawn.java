package io.tokenpipe.internal;

import com.sun.jna.Native;

/**
 * posix_spawnp and the file-action and attribute calls it needs (Linux glibc/musl, macOS), bound with JNA
 * direct mapping. Every argument is a primitive or an address. Unlike most of libc, these functions return
 * their error number instead of setting errno; 0 means success.
 */
final class PosixSpawn {
    static {
        Native.register(PosixSpawn.class, PosixLibc.LIBC);
    }

    private PosixSpawn() {
    }

    /** The child's pid is stored as an int at {@code pid}; {@code argv} and {@code envp} are NULL-terminated. */
    static native int posix_spawnp(long pid, long file, long fileActions, long attr, long argv, long envp);

    static native int posix_spawn_file_actions_init(long fileActions);

    static native int posix_spawn_file_actions_destroy(long fileActions);

    static native int posix_spawn_file_actions_adddup2(long fileActions, int fd, int newfd);

    static native int posix_spawn_file_actions_addclose(long fileActions, int fd);

    static native int posix_spawn_file_actions_addopen(long fileActions, int fd, long path, int oflag, int mode);

    static native int posix_spawnattr_init(long attr);

    static native int posix_spawnattr_destroy(long attr);

    static native int posix_spawnattr_setflags(long attr, short flags);

    static native int posix_spawnattr_setsigmask(long attr, long sigmask);

    static native int posix_spawnattr_setsigdefault(long attr, long sigdefault);

    /** Returns -1 and sets errno on failure, as ordinary libc calls do. */
    static native int sigemptyset(long set);
}
