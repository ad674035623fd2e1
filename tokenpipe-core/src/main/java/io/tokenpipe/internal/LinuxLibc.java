package io.tokenpipe.internal;

import com.sun.jna.Native;

/** The one Linux C library function needed beyond POSIX; glibc has had it since 2.1, musl too. */
final class LinuxLibc {
    static {
        Native.register(LinuxLibc.class, PosixLibc.LIBC);
    }

    private LinuxLibc() {
    }

    static native int __libc_current_sigrtmax();
}
