package io.tokenpipe.internal.spawn;

import io.tokenpipe.internal.Libc;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.posix.LinuxSyscalls;
import io.tokenpipe.internal.posix.PosixIo;

/**
 * Process descriptors (pidfd, Linux 5.3 and later): a descriptor that becomes readable when a child exits, and a
 * signal sent through it that can never reach a process that reused the pid. Made through syscall(2) (glibc has
 * wrappers only since 2.36); an older kernel, a seccomp filter or another OS only turns them off.
 */
final class LinuxPidfd {
    static final boolean AVAILABLE;
    private static final Libc LIBC = ((PosixIo) NativeIo.get()).libc();

    static {
        boolean available = false;
        if (LinuxSyscalls.KNOWN) {
            // A probe on ourselves: ENOSYS before Linux 5.3, EPERM or ENOSYS under some seccomp filters.
            int fd = pidfdOpen(LIBC.getpid());
            if (fd >= 0) {
                LIBC.close(fd);
                available = true;
            }
        }
        AVAILABLE = available;
    }

    private LinuxPidfd() {
    }

    /** A pidfd (always close-on-exec) for child {@code pid}, or -1 with errno set. */
    static int pidfdOpen(int pid) {
        return (int) LIBC.syscall(LinuxSyscalls.PIDFD_OPEN, pid, 0, 0, 0, 0);
    }

    /** 0, or -1 with errno set (ESRCH once the child has exited). */
    static int pidfdSendSignal(int pidfd, int signal) {
        return (int) LIBC.syscall(LinuxSyscalls.PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0, 0);
    }
}
