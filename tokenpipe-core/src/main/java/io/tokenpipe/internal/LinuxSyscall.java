package io.tokenpipe.internal;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Linux system calls made through syscall(2) rather than their glibc wrappers, which appeared late (gettid and
 * tgkill in glibc 2.30, statx in 2.28, pidfd_open in 2.36): binding a wrapper that is missing would make the
 * whole class fail to load. Numbers are per architecture; only x86-64 and aarch64 are known here, and
 * {@link #AVAILABLE} is false elsewhere (callers then use portable fallbacks).
 */
final class LinuxSyscall {
    static final boolean AVAILABLE;
    static final long GETTID;
    static final long TGKILL;
    static final long STATX;
    /** New system calls have had one number on x86-64 and aarch64 since Linux 5.1. */
    static final long PIDFD_SEND_SIGNAL = 424;
    static final long PIDFD_OPEN = 434;

    static {
        boolean x86 = Platform.isLinux() && "x86-64".equals(Platform.ARCH);
        boolean arm = Platform.isLinux() && "aarch64".equals(Platform.ARCH);
        GETTID = x86 ? 186 : 178;
        TGKILL = x86 ? 234 : 131;
        STATX = x86 ? 332 : 291;
        boolean available = false;
        if (x86 || arm) {
            Native.register(LinuxSyscall.class, PosixLibc.LIBC);
            available = true;
        }
        AVAILABLE = available;
    }

    private LinuxSyscall() {
    }

    /** Variadic in C; integer arguments are passed like fixed ones on x86-64 and Linux aarch64. */
    static native long syscall(long number, long arg1, long arg2, long arg3, long arg4, long arg5);
}
