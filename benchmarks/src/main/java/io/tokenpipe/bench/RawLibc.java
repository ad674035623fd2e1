package io.tokenpipe.bench;

import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The floor under tokenpipe: the same libc calls through JNA direct mapping with primitive arguments and
 * nothing around them (no close protocol, no errno handling, no wake-ups). Only for the benchmarks.
 */
final class RawLibc {
    static final int O_CLOEXEC = 0x80000;

    static {
        Native.register(RawLibc.class, Platform.C_LIBRARY_NAME);
    }

    private RawLibc() {
    }

    static native long read(int fd, long buf, long count);

    static native long write(int fd, long buf, long count);

    static native int pipe2(long fds, int flags);

    static native int close(int fd);

    /** No system call: what a JNA call costs by itself. */
    static native long labs(long value);

    /** A system call that does next to nothing in the kernel. */
    static native int getppid();
}
