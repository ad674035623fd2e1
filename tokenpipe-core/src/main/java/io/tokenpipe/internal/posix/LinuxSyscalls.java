package io.tokenpipe.internal.posix;

import io.tokenpipe.internal.Os;

/**
 * Linux system calls made through syscall(2) rather than their glibc wrappers, which appeared late (gettid and
 * tgkill in glibc 2.30, statx in 2.28, pidfd_open in 2.36): binding a wrapper that is missing would make the
 * whole C library binding fail to load. Numbers are per architecture; only x86-64 and aarch64 are known here
 * (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/unistd.h), and the native layer refuses to load
 * on other Linux architectures ({@link #KNOWN} is false there).
 */
public final class LinuxSyscalls {
    /** Whether the numbers below are right for this processor. */
    public static final boolean KNOWN;
    public static final long GETTID;
    public static final long TGKILL;
    public static final long STATX;
    /**
     * The system calls a token call sleeps in, as /proc/PID/task/TID/syscall names them: read and write (the token),
     * and poll or ppoll, whichever the C library's poll() makes (for an inherited non-blocking descriptor); aarch64
     * has no poll (-1).
     */
    public static final long READ;
    public static final long WRITE;
    public static final long POLL;
    public static final long PPOLL;
    /** New system calls have had one number on every architecture since Linux 5.1. */
    public static final long PIDFD_SEND_SIGNAL = 424;
    public static final long PIDFD_OPEN = 434;

    static {
        boolean x86 = Os.LINUX && Os.ARCH.equals("x86-64");
        boolean arm = Os.LINUX && Os.ARCH.equals("aarch64");
        KNOWN = x86 || arm;
        GETTID = x86 ? 186 : 178;
        TGKILL = x86 ? 234 : 131;
        STATX = x86 ? 332 : 291;
        READ = x86 ? 0 : 63;
        WRITE = x86 ? 1 : 64;
        POLL = x86 ? 7 : -1;
        PPOLL = x86 ? 271 : 73;
    }

    private LinuxSyscalls() {
    }
}
