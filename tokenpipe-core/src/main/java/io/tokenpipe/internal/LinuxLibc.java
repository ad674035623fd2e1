package io.tokenpipe.internal;

import com.sun.jna.Native;

/** Linux-only functions (glibc 2.30 or later, or musl), bound with JNA direct mapping. */
final class LinuxLibc {
    static {
        Native.register(LinuxLibc.class, PosixLibc.LIBC);
    }

    private LinuxLibc() {
    }

    static native int gettid();

    static native int tgkill(int tgid, int tid, int sig);

    static native int statx(int dirfd, String pathname, int flags, int mask, long statxbuf);

    static native int __libc_current_sigrtmax();
}
