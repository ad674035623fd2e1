package io.tokenpipe.internal.posix;

import io.tokenpipe.internal.Backend;
import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.Libc;
import io.tokenpipe.internal.NativeBuffer;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.Os;
import java.nio.ByteBuffer;

/**
 * Linux (tested) and macOS (untested) through libc, written once over {@link Libc} for every backend.
 *
 * <p>Descriptors stay in blocking mode: a blocked read costs one system call, and O_NONBLOCK, which
 * belongs to the open file description and so to every process sharing it, is never touched. A thread
 * blocked in read or write is woken with a thread-directed signal whose handler does nothing and is
 * installed without SA_RESTART, so the call returns EINTR and the caller re-checks its state. The signal
 * is the one the JDK's own NIO uses for the same purpose (SIGRTMAX-2 on Linux, SIGIO on macOS).
 */
public final class PosixIo extends NativeIo {
    private static final int F_GETFD = 1;
    private static final int F_SETFD = 2;
    private static final int FD_CLOEXEC = 1;
    private static final int O_CLOEXEC_LINUX = 0x80000;
    private static final int SIGIO_MACOS = 23;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 1;
    private static final int STATX_MODE_OFFSET = 28;
    private static final int FSTAT_MODE_OFFSET_MACOS = 4;
    private static final int S_IFMT = 0xF000;
    private static final int S_IFIFO = 0x1000;

    private static final int EAGAIN_LINUX = 11;
    private static final int EAGAIN_MACOS = 35;
    private static final short POLLIN = 1;
    private static final short POLLOUT = 4;

    private final Libc libc;
    private final boolean linux = Os.LINUX;
    /** Thread ids are Linux tids (gettid, tgkill) where the syscall numbers are known, else pthread_t. */
    private final boolean tids = linux && LinuxSyscalls.KNOWN;
    private final int pid;
    private final int wakeSignal;

    public PosixIo(Backend backend) {
        super(backend);
        libc = backend.libc();
        pid = libc.getpid();
        wakeSignal = linux ? libc.__libc_current_sigrtmax() - 2 : SIGIO_MACOS;
        WakeSignal.prepare(libc, wakeSignal, linux);
    }

    /** The C library this layer calls; for the child-process code, which needs more of it. */
    public Libc libc() {
        return libc;
    }

    @Override
    public int pipe(ByteBuffer scratch, long scratchAddress, boolean forceFallback) {
        if (linux && libc.hasPipe2() && !forceFallback) {
            return libc.pipe2(scratchAddress, O_CLOEXEC_LINUX) == 0 ? 0 : errno();
        }
        // pipe + fcntl, as on macOS: a fork+exec by another thread between the two calls could inherit
        // the pair; our own ChildProcess never inherits (it closes every fd it was not given).
        if (libc.pipe(scratchAddress) != 0) {
            return errno();
        }
        int readFd = scratch.getInt(0);
        int writeFd = scratch.getInt(4);
        int failure = setCloseOnExec(readFd);
        if (failure == 0) {
            failure = setCloseOnExec(writeFd);
        }
        if (failure != 0) {
            libc.close(readFd);
            libc.close(writeFd);
        }
        return failure;
    }

    /** Sets FD_CLOEXEC (a per-descriptor flag, safe to change on a shared pipe); 0 or errno. */
    private int setCloseOnExec(int fd) {
        int flags = libc.fcntl(fd, F_GETFD, 0);
        if (flags == -1 || libc.fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == -1) {
            return errno();
        }
        return 0;
    }

    @Override
    public int clearCloseOnExec(int fd) {
        int flags = libc.fcntl(fd, F_GETFD, 0);
        if (flags == -1 || libc.fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) == -1) {
            return errno();
        }
        return 0;
    }

    @Override
    public long read(int fd, long buffer) {
        return libc.read(fd, buffer, 1);
    }

    @Override
    public long write(int fd, long buffer) {
        return libc.write(fd, buffer, 1);
    }

    @Override
    public int close(int fd) {
        return libc.close(fd);
    }

    @Override
    public int errno() {
        return libc.errno();
    }

    @Override
    public boolean isWakeUp(int errno, boolean woken) {
        return errno == Errno.EINTR; // from our wake-up or any other handled signal: retried either way
    }

    @Override
    public boolean isWouldBlock(int errno) {
        return errno == (linux ? EAGAIN_LINUX : EAGAIN_MACOS);
    }

    @Override
    public void awaitReady(int fd, boolean write, ByteBuffer scratch, long scratchAddress) {
        // struct pollfd {int fd; short events; short revents;} in the thread's scratch buffer at offset 8
        scratch.putInt(8, fd);
        scratch.putShort(12, write ? POLLOUT : POLLIN);
        scratch.putShort(14, (short) 0);
        libc.poll(scratchAddress + 8, 1, -1); // the wake-up signal ends it with EINTR, like a read
    }

    @Override
    public long currentThreadId() {
        return tids ? libc.syscall(LinuxSyscalls.GETTID, 0, 0, 0, 0, 0) : libc.pthread_self();
    }

    @Override
    public void wake(long threadId) {
        if (tids) {
            libc.syscall(LinuxSyscalls.TGKILL, pid, threadId, wakeSignal, 0, 0);
        } else {
            libc.pthread_kill(threadId, wakeSignal);
        }
    }

    @Override
    public void adopt(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd + " is negative; a descriptor number is 0 or more");
        }
        if (fd <= 2) {
            throw new IllegalArgumentException("fd " + fd + " is standard " + (fd == 0 ? "input" : fd == 1 ? "output" : "error")
                    + "; token pipes are handed over at descriptor 3 or above");
        }
        int descriptorFlags = libc.fcntl(fd, F_GETFD, 0);
        if (descriptorFlags == -1) {
            throw new IllegalArgumentException("fd " + fd + " is not open: " + Errno.describe(errno()));
        }
        int type = fileType(fd);
        if (type != S_IFIFO) {
            throw new IllegalArgumentException("fd " + fd + " is " + describeType(type) + ", not a pipe or FIFO");
        }
        if ((descriptorFlags & FD_CLOEXEC) != 0) {
            // An inherited descriptor cannot be close-on-exec (it would not have survived the exec): this one was
            // opened here, and owning it twice would close it twice, the second time under whoever reuses it.
            throw new IllegalArgumentException("fd " + fd + " is close-on-exec, so it was not inherited: this process"
                    + " opened it itself or already owns it (a TokenPipe end, or adopted before)");
        }
        int failure = setCloseOnExec(fd);
        if (failure != 0) {
            throw new IllegalArgumentException("fd " + fd + ": cannot set close-on-exec: " + Errno.describe(failure));
        }
    }

    /** The S_IFMT bits of fd's mode, or -errno. statx has one layout on every Linux architecture. */
    private int fileType(int fd) {
        try (NativeBuffer stat = NativeBuffer.allocate(512); NativeBuffer emptyPath = NativeBuffer.allocate(1)) {
            if (tids) {
                return libc.syscall(LinuxSyscalls.STATX, fd, emptyPath.address(), AT_EMPTY_PATH, STATX_TYPE,
                        stat.address()) == 0 ? stat.getShort(STATX_MODE_OFFSET) & S_IFMT : -errno();
            }
            if (linux) {
                throw new UnsupportedOperationException("cannot tell the type of fd " + fd + " on Linux "
                        + Os.ARCH + " (statx is called by number, known for x86-64 and aarch64 only)");
            }
            return libc.fstat(fd, stat.address()) == 0 ? stat.getShort(FSTAT_MODE_OFFSET_MACOS) & S_IFMT : -errno();
        }
    }

    private static String describeType(int type) {
        switch (type) {
            case 0x8000: return "a regular file";
            case 0xC000: return "a socket";
            case 0x2000: return "a character device";
            case 0x4000: return "a directory";
            case 0x6000: return "a block device";
            case 0xA000: return "a symbolic link";
            default: return type < 0 ? "not inspectable (" + Errno.describe(-type) + ")" : "of unknown type " + type;
        }
    }

    @Override
    public long openFileLimit() {
        int rlimitNofile = linux ? 7 : 8;
        try (NativeBuffer limits = NativeBuffer.allocate(16)) {
            return libc.getrlimit(rlimitNofile, limits.address()) == 0 ? limits.getLong(0) : -1;
        }
    }

    @Override
    public String platform() {
        return Os.describe() + " (libc, " + backend().description() + ", wake-up signal " + wakeSignal + ")";
    }

    @Override
    protected String errorText(int errno) {
        return libc.strerror(errno);
    }
}
