package io.tokenpipe.internal;

import com.sun.jna.Native;

/**
 * Process descriptors (pidfd, Linux 5.3 and later) and eventfd: a descriptor that becomes readable when a
 * child exits, and a signal sent through it that can never reach a process that reused the pid. Kept apart
 * so that an older kernel, a seccomp filter or another OS only disables them.
 *
 * <p>pidfd_open and pidfd_send_signal are made through {@link LinuxSyscall} (glibc has wrappers only since 2.36);
 * on architectures it does not know they are not tried, and the fallback is used.
 */
final class LinuxPidfd {
    static final boolean AVAILABLE;

    static {
        boolean available = false;
        if (LinuxSyscall.AVAILABLE) {
            try {
                Native.register(LinuxPidfd.class, PosixLibc.LIBC);
                // A probe on ourselves: ENOSYS before Linux 5.3, EPERM or ENOSYS under some seccomp filters.
                long fd = pidfdOpen(PosixLibc.getpid());
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
        return (int) LinuxSyscall.syscall(LinuxSyscall.PIDFD_OPEN, pid, 0, 0, 0, 0);
    }

    /** 0, or -1 with errno set (ESRCH once the child has exited). */
    static int pidfdSendSignal(int pidfd, int signal) {
        return (int) LinuxSyscall.syscall(LinuxSyscall.PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0, 0);
    }

    static native int eventfd(int initval, int flags);
}
