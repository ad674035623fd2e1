package io.tokenpipe.internal.spawn;

import io.tokenpipe.internal.Libc;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.posix.PosixIo;

/**
 * Whether this C library is a glibc older than 2.24. Before 2.24 (the clone-based rewrite of posix_spawn,
 * sysdeps/unix/sysv/linux/spawni.c), a failed exec in the child was reported only as the child's exit status 127,
 * and posix_spawnp itself returned 0.
 */
final class OldGlibc {
    static final boolean REPORTS_EXEC_FAILURE_AS_EXIT_127 = olderThan(2, 24);
    /** Tests only: look the program up before spawning as on an old glibc. */
    static volatile boolean forceProgramCheck;

    private OldGlibc() {
    }

    static boolean checksProgram() {
        return REPORTS_EXEC_FAILURE_AS_EXIT_127 || forceProgramCheck;
    }

    private static boolean olderThan(int major, int minor) {
        Libc libc = ((PosixIo) NativeIo.get()).libc();
        if (!libc.hasGnuGetLibcVersion()) {
            return false; // musl, macOS: posix_spawn reports exec failures itself
        }
        String[] parts = libc.gnu_get_libc_version().split("\\.");
        try {
            int foundMajor = Integer.parseInt(parts[0]);
            int foundMinor = parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0;
            return foundMajor < major || (foundMajor == major && foundMinor < minor);
        } catch (NumberFormatException unexpected) {
            return false;
        }
    }
}
