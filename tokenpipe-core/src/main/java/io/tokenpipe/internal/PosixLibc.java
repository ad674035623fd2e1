package io.tokenpipe.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * POSIX C library functions bound with JNA direct mapping. Every argument is a primitive (buffers are
 * passed as addresses) so that a call allocates nothing. Names and argument order follow the C functions.
 */
final class PosixLibc {
    static final NativeLibrary LIBC = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);

    static {
        Native.register(PosixLibc.class, LIBC);
    }

    private PosixLibc() {
    }

    static native long read(int fd, long buf, long count);

    static native long write(int fd, long buf, long count);

    static native int close(int fd);

    static native int pipe(long fds);

    /** Variadic in C; an int third argument is passed like a fixed one on x86-64 and Linux aarch64. */
    static native int fcntl(int fd, int cmd, int arg);

    static native int getpid();

    static native int sigaction(int signum, long act, long oldact);

    static native long pthread_self();

    static native int pthread_kill(long thread, int sig);

    static native String strerror(int errnum);

    static native int getrlimit(int resource, long rlim);

    static native int setrlimit(int resource, long rlim);
}
