package io.tokenpipe.internal;

import com.sun.jna.Native;

/** Waiting for, reaping and signalling child processes (Linux, macOS), bound with JNA direct mapping. */
final class PosixWait {
    static {
        Native.register(PosixWait.class, PosixLibc.LIBC);
    }

    private PosixWait() {
    }

    /** The raw wait status is stored as an int at {@code status}. */
    static native int waitpid(int pid, long status, int options);

    /** {@code info} is a siginfo_t (128 bytes). */
    static native int waitid(int idtype, int id, long info, int options);

    static native int kill(int pid, int sig);

    /** {@code fds} is an array of struct pollfd {int fd; short events; short revents;}. */
    static native int poll(long fds, long nfds, int timeout);
}
