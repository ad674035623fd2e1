package io.tokenpipe.internal.posix;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.Libc;
import io.tokenpipe.internal.NativeBuffer;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.Os;
import java.util.concurrent.TimeUnit;

/**
 * One datagram to an AF_UNIX socket address, as sd_notify(3) sends it: a fresh socket
 * ({@code socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)}), one {@code sendto} of the whole message, close. Nothing
 * stays open between messages, so there is no descriptor to own, share or leak, and a fork+exec by another
 * thread never inherits the socket (it is close-on-exec from its first instant on Linux).
 *
 * <p>The JDK cannot send AF_UNIX datagrams (JDK-8297837), hence the native layer. Unlike sd_notify, which blocks
 * while the receiver's queue is full, the send is non-blocking ({@code MSG_DONTWAIT}) and is retried, with
 * growing pauses, until a deadline: a receiver that stops reading cannot hang the caller.
 */
public final class UnixDatagram {
    // Linux: include/linux/socket.h and include/linux/net.h (asm-generic values; mips differs, hence the arch check)
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC_LINUX = 0x80000; // = O_CLOEXEC on x86-64 and aarch64
    private static final int MSG_DONTWAIT_LINUX = 0x40;
    private static final int MSG_NOSIGNAL_LINUX = 0x4000;
    private static final int EAGAIN_LINUX = 11;
    private static final int EMSGSIZE_LINUX = 90;
    // macOS: <sys/socket.h> (MSG_DONTWAIT 0x80; no SOCK_CLOEXEC and no MSG_NOSIGNAL), <sys/errno.h> (EAGAIN 35)
    private static final int MSG_DONTWAIT_MAC = 0x80;
    private static final int EAGAIN_MAC = 35;
    /**
     * XNU answers a full AF_UNIX datagram receiver with ENOBUFS (<sys/errno.h> 55), not EAGAIN: uipc_send's
     * SOCK_DGRAM case returns what sbappendaddr gives. Never run here.
     */
    private static final int ENOBUFS_MAC = 55;
    private static final int EMSGSIZE_MAC = 40;
    /** FIOCLEX, sys/filio.h _IO('f', 1): close-on-exec without fcntl's variadic argument. */
    private static final long FIOCLEX_MAC = 0x20006601L;

    private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private UnixDatagram() {
    }

    /**
     * Why this platform cannot send AF_UNIX datagrams through this class, or null when it can. Loads the native
     * layer.
     */
    public static String unsupportedReason() {
        NativeIo io = NativeIo.get();
        if (io == null) {
            return "the native layer is not available: " + NativeIo.unavailableReason();
        }
        if (!(io instanceof PosixIo)) {
            return "AF_UNIX datagram sockets are not available on " + Os.describe();
        }
        if (Os.LINUX && !Os.ARCH.equals("x86-64") && !Os.ARCH.equals("aarch64")) {
            return "the socket constants of Linux " + Os.ARCH + " are not known here (x86-64 and aarch64 only)";
        }
        return null;
    }

    /** Whether this platform has an abstract socket namespace (Linux). */
    public static boolean hasAbstractNamespace() {
        return Os.LINUX;
    }

    /**
     * The address of {@code name} on this platform.
     *
     * @throws IllegalArgumentException when the name does not fit the platform's sockaddr_un, or is abstract
     *         where there is no abstract namespace
     */
    public static SockaddrUn address(byte[] name, boolean abstractName) {
        if (Os.MAC) {
            if (abstractName) {
                throw new IllegalArgumentException("macOS has no abstract socket namespace");
            }
            return SockaddrUn.mac(name);
        }
        return SockaddrUn.linux(name, abstractName);
    }

    /**
     * Sends {@code message} as one datagram to {@code address}.
     *
     * @param waitNanos how long to keep retrying while the receiver's queue is full (EAGAIN)
     * @return 0 when the whole message was sent; else the errno of the call that failed (ECONNREFUSED: nobody
     *         reads at that address; ENOENT: no such socket file; EAGAIN: the queue stayed full until the deadline)
     * @throws UnsupportedOperationException with {@link #unsupportedReason()} where this platform cannot send
     */
    public static int send(SockaddrUn address, byte[] message, long waitNanos) {
        String unsupported = unsupportedReason();
        if (unsupported != null) {
            throw new UnsupportedOperationException(unsupported);
        }
        Libc libc = ((PosixIo) NativeIo.get()).libc();
        try (NativeBuffer to = NativeBuffer.allocate(address.length()).put(0, address.bytes());
             NativeBuffer data = NativeBuffer.allocate(Math.max(1, message.length)).put(0, message)) {
            int fd = openSocket(libc);
            if (fd < 0) {
                return -fd;
            }
            try {
                return sendTo(libc, fd, to, address.length(), data, message.length, waitNanos);
            } finally {
                libc.close(fd);
            }
        }
    }

    /** A datagram socket, close-on-exec: its descriptor, or -errno. Package-private for the test of its flags. */
    static int openSocket(Libc libc) {
        if (Os.LINUX) {
            int fd = libc.socket(SockaddrUn.AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC_LINUX, 0);
            return fd >= 0 ? fd : -libc.errno();
        }
        // macOS has no SOCK_CLOEXEC: set it at once (a fork+exec in between could inherit it, as for pipe())
        int fd = libc.socket(SockaddrUn.AF_UNIX, SOCK_DGRAM, 0);
        if (fd < 0) {
            return -libc.errno();
        }
        if (libc.ioctl(fd, FIOCLEX_MAC) == -1) {
            int errno = libc.errno();
            libc.close(fd);
            return -errno;
        }
        return fd;
    }

    private static int sendTo(Libc libc, int fd, NativeBuffer to, int toLength, NativeBuffer data, int length,
            long waitNanos) {
        int flags = Os.LINUX ? MSG_DONTWAIT_LINUX | MSG_NOSIGNAL_LINUX : MSG_DONTWAIT_MAC;
        int eagain = Os.LINUX ? EAGAIN_LINUX : EAGAIN_MAC;
        long deadline = System.nanoTime() + waitNanos;
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            long sent = libc.sendto(fd, data.address(), length, flags, to.address(), toLength);
            if (sent >= 0) {
                // A datagram goes whole or not at all; a short count would be a kernel bug, reported as EMSGSIZE.
                return sent == length ? 0 : Os.LINUX ? EMSGSIZE_LINUX : EMSGSIZE_MAC;
            }
            int errno = libc.errno();
            if (errno == Errno.EINTR) {
                continue;
            }
            long left = deadline - System.nanoTime();
            boolean full = errno == eagain || (Os.MAC && errno == ENOBUFS_MAC);
            if (!full || left <= 0) {
                return errno;
            }
            pauseUninterruptibly(Math.min(pause, left));
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
        }
    }

    /** Sleeps for a bounded time whatever the interrupt status, which the caller gets back as it was. */
    private static void pauseUninterruptibly(long nanos) {
        boolean interrupted = Thread.interrupted();
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
