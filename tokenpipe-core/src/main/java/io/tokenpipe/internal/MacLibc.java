package io.tokenpipe.internal;

import com.sun.jna.Native;

/**
 * macOS-only bindings. fstat is here, not in {@link PosixLibc}: glibc exports it only since 2.33 (before, it
 * was a static stub), so binding it on Linux would make PosixLibc fail to load on older systems.
 */
final class MacLibc {
    static {
        Native.register(MacLibc.class, PosixLibc.LIBC);
    }

    private MacLibc() {
    }

    /** The 64-bit-inode struct stat (st_mode at offset 4) on arm64; x86-64 macOS would need fstat$INODE64. */
    static native int fstat(int fd, long statbuf);
}
