package io.tokenpipe.internal;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * Process descriptors (pidfd, Linux 5.3 and later) and eventfd: a descriptor that becomes readable when a
 * child exits, and a signal sent through it that can never reach a process that reused the pid. Kept apart
 * so that an older kernel, a seccomp filter or another OS only disables them.
 *
 * <p>pidfd_open and pidfd_send_signal are called through syscall(2): glibc has wrappers only since 2.36. Their
 * numbers (434, 424) are the same on x86-64 and aarch64 (new system calls have had one number on most
 * architectures since Linux 5.1); other architectures are not tried and use the fallback.
 */
final class LinuxPidfd {
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;
    private static final long SYS_PIDFD_OPEN = 434;
    private static final String[] KNOWN_ARCHS = {"x86-64", "aarch64"};

    static final boolean AVAILABLE;

    static {
        boolean available = false;
        if (Platform.isLinux() && java.util.Arrays.asList(KNOWN_ARCHS).contains(Platform.ARCH)) {
            try {
                Native.register(LinuxPidfd.class, PosixLibc.LIBC);
                // A probe on ourselves: ENOSYS before Linux 5.3, EPERM or ENOSYS under some seccomp filters.
                long fd = syscall(SYS_PIDFD_OPEN, PosixLibc.getpid(), 0, 0, 0);
                if (fd >= 0) {
                    PosixLibc.close((int) fd);
                    available = true;
                }
            } catch (UnsatisfiedLinkError e) {
                available = false;
            }
        }
        AVAILABLE = available;
    }

    private LinuxPidfd() {
    }

    /** A pidfd (always close-on-exec) for child {@code pid}, or -1 with errno set. */
    static int pidfdOpen(int pid) {
        return (int) syscall(SYS_PIDFD_OPEN, pid, 0, 0, 0);
    }

    /** 0, or -1 with errno set (ESRCH once the child has exited). */
    static int pidfdSendSignal(int pidfd, int signal) {
        return (int) syscall(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0);
    }

    /** Variadic in C; integer arguments are passed like fixed ones on x86-64 and Linux aarch64. */
    static native long syscall(long number, long arg1, long arg2, long arg3, long arg4);

    static native int eventfd(int initval, int flags);
}
