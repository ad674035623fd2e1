package io.tokenpipe.testing;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * Holds one thread's read(2) calls on one descriptor until this process lets them go (seccomp's user notification,
 * Linux 5.5+ for letting a call go on, 6.0+ for the waiting that signals cannot end), so that a test can act
 * exactly between a thread's decision to read and its read. Linux x86-64 only; a filter cannot be removed, so only
 * for child JVMs. The numbers are from include/uapi/linux/seccomp.h.
 */
public final class SeccompListener {
    private static final long SYS_IOCTL = 16;
    private static final long SYS_READ = 0;
    private static final int SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3;
    /** Once the listener has received a notification, the held call can be ended by a fatal signal only. */
    private static final int SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV = 1 << 5;
    private static final int SECCOMP_RET_USER_NOTIF = 0x7fc00000;
    private static final int SECCOMP_RET_ALLOW = 0x7fff0000;
    private static final int SECCOMP_USER_NOTIF_FLAG_CONTINUE = 1;
    /** struct seccomp_notif: u64 id, u32 pid, u32 flags, struct seccomp_data (64 bytes). */
    private static final int NOTIF_SIZE = 80;
    /** struct seccomp_notif_resp: u64 id, s64 val, s32 error, u32 flags. */
    private static final int RESP_SIZE = 24;
    /** _IOWR('!', 0, struct seccomp_notif) and _IOWR('!', 1, struct seccomp_notif_resp). */
    private static final long SECCOMP_IOCTL_NOTIF_RECV = 0xC0000000L | NOTIF_SIZE << 16 | 0x21 << 8;
    private static final long SECCOMP_IOCTL_NOTIF_SEND = 0xC0000000L | RESP_SIZE << 16 | 0x21 << 8 | 1;

    static {
        Native.register(SeccompListener.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private final int fd;
    private final Memory notification = new Memory(NOTIF_SIZE);
    private final Memory response = new Memory(RESP_SIZE);

    private SeccompListener(int fd) {
        this.fd = fd;
    }

    private static native long syscall(long number, long arg1, long arg2, long arg3);

    /** From now on, every read(2) of {@code readFd} by the calling thread (only) waits for {@link #letGo}. */
    public static SeccompListener holdReadsOf(int readFd) {
        // struct sock_filter {u16 code; u8 jt; u8 jf; u32 k}: the arch, the call, its first argument; else allow
        int[][] program = {
            {0x20, 0, 0, 4},                       // ld [4]: seccomp_data.arch
            {0x15, 0, 5, Seccomp.AUDIT_ARCH_X86_64}, // jeq arch, else allow
            {0x20, 0, 0, 0},                       // ld [0]: seccomp_data.nr
            {0x15, 0, 3, (int) SYS_READ},          // jeq read, else allow
            {0x20, 0, 0, 16},                      // ld [16]: seccomp_data.args[0], low half (little-endian)
            {0x15, 0, 1, readFd},                  // jeq readFd, else allow
            {0x06, 0, 0, SECCOMP_RET_USER_NOTIF},  // ret: ask the listener
            {0x06, 0, 0, SECCOMP_RET_ALLOW},
        };
        // No TSYNC: the filter is the calling thread's alone.
        long listener = Seccomp.install(program,
                SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
        if (listener < 0) {
            throw new IllegalStateException("seccomp(NEW_LISTENER | WAIT_KILLABLE_RECV) failed: errno "
                    + Native.getLastError() + " (needs Linux 6.0 or later)");
        }
        return new SeccompListener((int) listener);
    }

    /** Waits until a held read arrives; returns its notification id. */
    public long awaitRead() {
        notification.clear(); // the kernel refuses a buffer that is not zeroed
        if (syscall(SYS_IOCTL, fd, SECCOMP_IOCTL_NOTIF_RECV, Pointer.nativeValue(notification)) != 0) {
            throw new IllegalStateException("SECCOMP_IOCTL_NOTIF_RECV failed: errno " + Native.getLastError());
        }
        return notification.getLong(0);
    }

    /** Lets the held read {@code id} go on into the kernel, as if it had never been held. */
    public void letGo(long id) {
        response.clear();
        response.setLong(0, id);
        response.setInt(20, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
        if (syscall(SYS_IOCTL, fd, SECCOMP_IOCTL_NOTIF_SEND, Pointer.nativeValue(response)) != 0) {
            throw new IllegalStateException("SECCOMP_IOCTL_NOTIF_SEND failed: errno " + Native.getLastError());
        }
    }
}
