package io.tokenpipe.testing;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * A seccomp filter that makes one system call fail with a chosen errno in this whole process, as the seccomp
 * profiles of older container runtimes do for calls they do not know (statx: ENOSYS or EPERM). Linux x86-64 only;
 * irreversible, so only for child JVMs.
 */
public final class Seccomp {
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final long SYS_SECCOMP = 317;
    private static final int SECCOMP_SET_MODE_FILTER = 1;
    private static final int SECCOMP_FILTER_FLAG_TSYNC = 1;
    static final int AUDIT_ARCH_X86_64 = 0xC000003E;
    public static final int STATX_X86_64 = 332;

    static {
        Native.register(Seccomp.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Seccomp() {
    }

    private static native int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    private static native long syscall(long number, long arg1, long arg2, long arg3);

    /** Makes system call {@code number} fail with {@code errno} on every thread of this process from now on. */
    public static void deny(int number, int errno) {
        // struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}: load arch, check it, load nr, check it, ERRNO or ALLOW
        int[][] program = {
            {0x20, 0, 0, 4},                       // ld [4]: seccomp_data.arch
            {0x15, 0, 3, AUDIT_ARCH_X86_64},       // jeq arch, else allow
            {0x20, 0, 0, 0},                       // ld [0]: seccomp_data.nr
            {0x15, 0, 1, number},                  // jeq number, else allow
            {0x06, 0, 0, 0x00050000 | errno},      // ret SECCOMP_RET_ERRNO | errno
            {0x06, 0, 0, 0x7fff0000},              // ret SECCOMP_RET_ALLOW
        };
        if (install(program, SECCOMP_FILTER_FLAG_TSYNC) != 0) {
            throw new IllegalStateException("seccomp failed: errno " + Native.getLastError());
        }
    }

    /**
     * Installs a classic BPF {@code program} ({@code {code, jt, jf, k}} per instruction) for the calling thread
     * (and every thread with {@code SECCOMP_FILTER_FLAG_TSYNC}), after PR_SET_NO_NEW_PRIVS, which it needs.
     * @return what seccomp(SECCOMP_SET_MODE_FILTER, flags, ...) returned: 0, a listener descriptor, or -1 (errno in
     *         {@code Native.getLastError()})
     */
    static long install(int[][] program, int flags) {
        if (!Platform.isLinux() || !Platform.isIntel() || !Platform.is64Bit()) {
            throw new UnsupportedOperationException("the filter is written for Linux x86-64");
        }
        // struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}
        Memory filter = new Memory(8L * program.length);
        for (int i = 0; i < program.length; i++) {
            filter.setShort(8L * i, (short) program[i][0]);
            filter.setByte(8L * i + 2, (byte) program[i][1]);
            filter.setByte(8L * i + 3, (byte) program[i][2]);
            filter.setInt(8L * i + 4, program[i][3]);
        }
        Memory fprog = new Memory(16); // struct sock_fprog {unsigned short len; struct sock_filter *filter}
        fprog.clear();
        fprog.setShort(0, (short) program.length);
        fprog.setPointer(8, filter);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) { // this thread's, and its future threads'
            throw new IllegalStateException("prctl(PR_SET_NO_NEW_PRIVS) failed: errno " + Native.getLastError());
        }
        return syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, flags, com.sun.jna.Pointer.nativeValue(fprog));
    }
}
