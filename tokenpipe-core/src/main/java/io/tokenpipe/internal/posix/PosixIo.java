package io.tokenpipe.internal.posix;

import io.tokenpipe.internal.Backend;
import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.Libc;
import io.tokenpipe.internal.Log;
import io.tokenpipe.internal.NativeBuffer;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.NativeText;
import io.tokenpipe.internal.Os;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Linux (tested) and macOS (untested) through libc, written once over {@link Libc} for every backend.
 *
 * <p>Descriptors stay in blocking mode: a blocked read costs one system call, and O_NONBLOCK, which
 * belongs to the open file description and so to every process sharing it, is never touched. A thread
 * blocked in read or write is woken with a thread-directed signal whose handler does nothing and is
 * installed without SA_RESTART, so the call returns EINTR and the caller re-checks its state. The signal
 * is the one the JDK's own NIO uses for the same purpose (SIGRTMAX-2 on Linux, SIGIO on macOS). A thread whose
 * mask blocks it gets it unblocked for the duration of each system call ({@link #unblockWakeUp}).
 */
public final class PosixIo extends NativeIo {
    // <fcntl.h>: the same on Linux (asm-generic/fcntl.h) and macOS (sys/fcntl.h)
    private static final int F_GETFD = 1;
    private static final int FD_CLOEXEC = 1;
    /** Linux 2.6.35+ (F_LINUX_SPECIFIC_BASE 1024 + 8, the same on every architecture): fails unless a pipe/FIFO. */
    private static final int F_GETPIPE_SZ = 1032;
    private static final int O_CLOEXEC_LINUX = 0x80000;
    /** FIOCLEX / FIONCLEX: Linux asm-generic/ioctls.h 0x5451 / 0x5450; macOS sys/filio.h _IO('f', 1) / _IO('f', 2). */
    private static final long FIOCLEX = Os.MAC ? 0x20006601L : 0x5451L;
    private static final long FIONCLEX = Os.MAC ? 0x20006602L : 0x5450L;
    private static final int SIGIO_MACOS = 23;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_TYPE = 1;
    private static final int STATX_MODE_OFFSET = 28;
    /** macOS struct stat with 64-bit inodes (__DARWIN_STRUCT_STAT64): dev_t st_dev (4 bytes), then mode_t st_mode. */
    private static final int FSTAT_MODE_OFFSET_MACOS = 4;
    private static final int S_IFMT = 0xF000;
    private static final int S_IFIFO = 0x1000;
    private static final int ENOSYS = 38;

    private static final int EAGAIN_LINUX = 11;
    /** asm-generic/resource.h: the same on x86-64 and aarch64. */
    private static final int RLIMIT_SIGPENDING = 11;
    private static final int EAGAIN_MACOS = 35;
    private static final short POLLIN = 1;
    private static final short POLLOUT = 4;
    // Signal masks. Linux: sigset_t is 128 bytes in glibc and musl (the kernel reads and writes the first 8 on x86-64
    // and aarch64, _NSIG 64), and SIG_BLOCK/UNBLOCK are 0/1 (bits/sigaction.h, asm-generic/signal-defs.h). macOS:
    // sigset_t is a 4-byte __uint32_t, and SIG_BLOCK/UNBLOCK are 1/2 (sys/signal.h). In both, signal n is bit n-1,
    // little-endian here.
    private static final int SIG_BLOCK = Os.MAC ? 1 : 0;
    private static final int SIG_UNBLOCK = Os.MAC ? 2 : 1;
    /** sizeof(sigset_t): what the C library may read or write (the thread's scratch buffer has room for it). */
    private static final int SIGSET_SIZE = Os.MAC ? 4 : 128;
    private static final int MASK_OFFSET = 16;
    /** Where /proc cannot tell (macOS): a thread signalled this long without leaving is taken to block the signal. */
    private static final long ASSUME_BLOCKED_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How many times the diagnosis looks when the thread ran while it looked (it was falling asleep, say). */
    private static final int LOOKS = 3;

    /** Tests only: tell a pipe by fcntl(F_GETPIPE_SZ), as where statx is refused. */
    static volatile boolean forcePipeSizeProbe;

    private final Libc libc;
    private final boolean linux = Os.LINUX;
    private final int pid;
    private final int wakeSignal;
    private final boolean hasGettid;
    /** A signal set holding only the wake-up signal, read by every thread's (un)block. */
    private final NativeBuffer wakeSet;
    /** Whether a full queue of pending signals was logged (once per JVM). */
    private final AtomicBoolean fullQueueReported = new AtomicBoolean();
    /** The thread a wake-up could not be sent to because the queue was full; 0 when none is to be reported. */
    private volatile long fullQueueThread;
    /** Set once statx failed with ENOSYS or EPERM (an old kernel, a seccomp filter): then F_GETPIPE_SZ is used. */
    private volatile boolean statxRefused;

    public PosixIo(Backend backend) {
        super(backend);
        libc = backend.libc();
        pid = libc.getpid();
        hasGettid = linux && libc.hasGettid();
        wakeSignal = linux ? libc.__libc_current_sigrtmax() - 2 : SIGIO_MACOS;
        WakeSignal.prepare(libc, wakeSignal, linux);
        int bit = wakeSignal - 1; // in 32-bit words, little-endian on every platform supported here
        wakeSet = NativeBuffer.allocate(SIGSET_SIZE).putInt(4 * (bit / 32), 1 << (bit % 32));
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
        // pipe + FIOCLEX, as on macOS: a fork+exec by another thread between the calls could inherit the pair;
        // our own ChildProcess never inherits (it closes every fd it was not given).
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

    /**
     * Sets FD_CLOEXEC (a per-descriptor flag, safe to change on a shared pipe) with ioctl(FIOCLEX), which takes no
     * variadic argument, instead of fcntl(F_SETFD, flags), which does; 0 or errno.
     */
    private int setCloseOnExec(int fd) {
        return libc.ioctl(fd, FIOCLEX) == 0 ? 0 : errno();
    }

    @Override
    public int clearCloseOnExec(int fd) {
        return libc.ioctl(fd, FIONCLEX) == 0 ? 0 : errno(); // no variadic argument, unlike fcntl(F_SETFD, flags)
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
        pollFd(fd, write, scratch);
        libc.poll(scratchAddress + 8, 1, -1); // the wake-up signal ends it with EINTR, like a read
    }

    @Override
    public boolean isReady(int fd, boolean write, ByteBuffer scratch, long scratchAddress) {
        pollFd(fd, write, scratch);
        // Any revents counts (POLLHUP, POLLERR too): the read or write then returns at once. poll does not sleep
        // with a zero timeout; a pending signal makes it fail with EINTR only when nothing is ready.
        return libc.poll(scratchAddress + 8, 1, 0) > 0;
    }

    @Override
    public boolean tellsReadiness() {
        return true;
    }

    /** struct pollfd {int fd; short events; short revents;} in the thread's scratch buffer at offset 8. */
    private static void pollFd(int fd, boolean write, ByteBuffer scratch) {
        scratch.putInt(8, fd);
        scratch.putShort(12, write ? POLLOUT : POLLIN);
        scratch.putShort(14, (short) 0);
    }

    @Override
    public long currentThreadId() {
        if (!linux) {
            return libc.pthread_self();
        }
        return hasGettid ? libc.gettid() : libc.syscall(LinuxSyscalls.GETTID, 0, 0, 0, 0, 0);
    }

    /**
     * Linux: tgkill, which fails with EAGAIN when the user's queue of pending signals is full (a real-time signal
     * takes a place in it until it is delivered, and RLIMIT_SIGPENDING of the receiving process bounds how many of
     * its user's may queue at once); that is logged once per JVM, by {@link #reportWakeFailure} (the sender calls it
     * outside the lock it sends under, so that no closer waits for a logging backend). macOS: pthread_kill of SIGIO,
     * which does not queue.
     */
    @Override
    public boolean wake(long threadId) {
        if (!linux) {
            return libc.pthread_kill(threadId, wakeSignal) == 0;
        }
        if (libc.syscall(LinuxSyscalls.TGKILL, pid, threadId, wakeSignal, 0, 0) == 0) {
            return true;
        }
        if (errno() == EAGAIN_LINUX && !fullQueueReported.get()) {
            fullQueueThread = threadId;
        }
        return false;
    }

    @Override
    public void reportWakeFailure() {
        long threadId = fullQueueThread;
        if (threadId != 0 && !fullQueueReported.getAndSet(true)) {
            reportFullQueue(threadId);
        }
    }

    /** Says why no wake-up can be sent, and what to do; anything going wrong here loses only the message. */
    private void reportFullQueue(long threadId) {
        try {
            Log.log(System.Logger.Level.WARNING, "cannot send the wake-up signal " + wakeSignal + " to thread "
                    + threadId + " (tgkill: EAGAIN): the queue of pending signals is full (RLIMIT_SIGPENDING of this"
                    + " process: " + signalQueueLimit() + "; " + signalQueueLine() + ", queued/limit, counts every"
                    + " process of this user). Until it drains, timeouts, interrupts and close() cannot end token calls"
                    + " blocked in a system call: such a call returns only when its system call does (a token, end of"
                    + " stream, the peer closing its end), a close() returns without waiting for it and closes the"
                    + " descriptor after it. Typically some process of the same user has a thread that blocks a"
                    + " real-time signal and is sent many (it shows them in SigPnd or ShdPnd and SigBlk of"
                    + " /proc/PID/task/TID/status); fix or stop it, or raise the limit (ulimit -i, systemd"
                    + " LimitSIGPENDING=)");
        } catch (Throwable messageLost) {
            // out of memory building it: lost, as with a logging backend that fails (Log)
        }
    }

    /** The soft RLIMIT_SIGPENDING of this process, as text. */
    private String signalQueueLimit() {
        try (NativeBuffer limits = NativeBuffer.allocate(16)) {
            if (libc.getrlimit(RLIMIT_SIGPENDING, limits.address()) != 0) {
                return "unknown (" + Errno.describe(errno()) + ")";
            }
            long soft = limits.getLong(0);
            return soft == -1 ? "unlimited" : Long.toString(soft);
        }
    }

    /** The SigQ line of /proc/self/status ("SigQ: 96365/96365"). */
    private static String signalQueueLine() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("SigQ:")) {
                    return "/proc/self/status SigQ: " + line.substring(5).trim();
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // no /proc
        }
        return "no SigQ in /proc/self/status";
    }

    @Override
    public boolean blocksWakeUp(ByteBuffer scratch, long scratchAddress) {
        long old = scratchAddress + MASK_OFFSET;
        scratch.putLong(MASK_OFFSET, 0);
        if (sigmask(SIG_BLOCK, 0, old) != 0) {
            return false; // cannot tell: the closer and the waker still find out if it matters
        }
        return hasWakeSignal(scratch);
    }

    @Override
    public boolean unblockWakeUp(ByteBuffer scratch, long scratchAddress) {
        scratch.putLong(MASK_OFFSET, 0);
        return sigmask(SIG_UNBLOCK, wakeSet.address(), scratchAddress + MASK_OFFSET) == 0 && hasWakeSignal(scratch);
    }

    @Override
    public void blockWakeUp(long scratchAddress) {
        sigmask(SIG_BLOCK, wakeSet.address(), 0);
    }

    private boolean hasWakeSignal(ByteBuffer scratch) {
        int bit = wakeSignal - 1;
        return (scratch.get(MASK_OFFSET + bit / 8) & (1 << (bit % 8))) != 0;
    }

    /**
     * The calling thread's mask; 0 or an error. Linux through sigprocmask, which is per thread there and in libc in
     * every glibc version (pthread_sigmask is in libpthread before 2.34); it is also bound like sigaction, which a
     * fresh JVM's first pipe has bound already (a syscall binding would cost FFM another function shape). macOS
     * through pthread_sigmask, as POSIX leaves sigprocmask in a threaded process unspecified.
     */
    private int sigmask(int how, long set, long oldSet) {
        return linux ? libc.sigprocmask(how, set, oldSet) : libc.pthread_sigmask(how, set, oldSet);
    }

    /**
     * Linux: the thread cannot be woken only when it is asleep in one of its token system calls (its own scratch
     * buffer in the arguments) with the wake-up signal blocked, and did not run at all while that was looked at.
     * A mask that shows the signal for a moment says nothing: the kernel blocks the signal while its handler runs,
     * HotSpot blocks every signal in its own handlers, glibc blocks them all around posix_spawn's clone and
     * pthread_create; under load a thread can be preempted inside such a window for many milliseconds, and is
     * then "running" (runnable) in /proc, never asleep in read(2). So: SigBlk and the context-switch counts from
     * status, then the system call from syscall, then status again. Unchanged counts mean the thread was off the
     * CPU without a break from before the first read to after the second (it would have had to be switched out to
     * be asleep again), so the mask seen first is the one it sleeps with in that system call.
     */
    @Override
    public String whyNotWoken(long threadId, long signalledNanos, long scratchAddress) {
        String handler = WakeSignal.problem(libc, wakeSignal, linux);
        if (handler != null) {
            return "was signalled, but the wake-up signal " + wakeSignal + " is " + handler + " now";
        }
        if (linux) {
            for (int look = 0; look < LOOKS; look++) {
                TaskStatus before = TaskStatus.read(threadId);
                if (before == null) {
                    break; // no /proc
                }
                if (!before.blocks(wakeSignal)) {
                    return null;
                }
                String syscall = taskFile(threadId, "syscall");
                if (syscall == null) {
                    // No syscall file (a kernel without it): the mask twice, and long enough after the signal.
                    TaskStatus after = TaskStatus.read(threadId);
                    return after != null && after.blocks(wakeSignal) && signalledNanos >= ASSUME_BLOCKED_NANOS
                            ? "blocks the wake-up signal " + wakeSignal + " in its signal mask (SigBlk "
                            + before.sigBlk + ") and has not left its call " + signalledNanos / 1_000_000
                            + " ms after it was signalled" : null;
                }
                String call = tokenSystemCall(syscall, scratchAddress);
                if (call == null) {
                    return null;
                }
                TaskStatus after = TaskStatus.read(threadId);
                if (after != null && after.switches == before.switches && after.blocks(wakeSignal)) {
                    return "blocks the wake-up signal " + wakeSignal + " in its signal mask (SigBlk " + before.sigBlk
                            + ") while asleep in " + call;
                }
                // It ran meanwhile (it was only falling asleep, or woke for a moment): look again.
            }
            if (TaskStatus.read(threadId) != null) {
                return null;
            }
        }
        // No /proc to read the mask from: a thread that has not left long after it was signalled is taken to block
        // the signal (if it was only slow, it is still signalled now and then, and its next call finds out).
        return signalledNanos >= ASSUME_BLOCKED_NANOS ? "has not left its call " + signalledNanos / 1_000_000
                + " ms after it was signalled, so it is taken to block the wake-up signal " + wakeSignal : null;
    }

    /**
     * "read(2)" when /proc's syscall line says the thread is asleep in a token system call on its own scratch
     * buffer ({@code scratchAddress}: read and write take it as their buffer, poll its pollfd at byte 8), else
     * null. The line is "running" for a thread on a CPU or waiting for one, else the number, six arguments, the
     * stack and instruction pointers, in hexadecimal (fs/proc/base.c, proc_pid_syscall).
     */
    static String tokenSystemCall(String line, long scratchAddress) {
        String[] words = line.trim().split(" ");
        if (words.length < 7) {
            return null; // "running", or "-1 sp pc": not in a system call
        }
        try {
            long number = Long.parseLong(words[0]);
            if (number == LinuxSyscalls.READ || number == LinuxSyscalls.WRITE) {
                return Long.parseUnsignedLong(words[2].substring(2), 16) == scratchAddress
                        ? (number == LinuxSyscalls.READ ? "read(2)" : "write(2)") : null;
            }
            if (number == LinuxSyscalls.POLL || number == LinuxSyscalls.PPOLL) {
                return Long.parseUnsignedLong(words[1].substring(2), 16) == scratchAddress + 8 ? "poll(2)" : null;
            }
        } catch (RuntimeException unexpected) {
            // not the format above: cannot tell
        }
        return null;
    }

    /** Linux: the signal sent to {@code threadId} is still queued there (SigPnd, the thread's own pending set). */
    @Override
    public boolean wakeUpPending(long threadId) {
        TaskStatus status = linux ? TaskStatus.read(threadId) : null;
        return status != null && status.pending(wakeSignal);
    }

    /** What the diagnosis reads of /proc/self/task/{tid}/status: read in one go, so consistent with itself. */
    private static final class TaskStatus {
        final String sigBlk;
        final String sigPnd;
        /** voluntary_ctxt_switches + nonvoluntary_ctxt_switches: grows whenever the thread leaves a CPU. */
        final long switches;

        private TaskStatus(String sigBlk, String sigPnd, long switches) {
            this.sigBlk = sigBlk;
            this.sigPnd = sigPnd;
            this.switches = switches;
        }

        /** Null when it cannot be read (no /proc, or the thread has just ended) or lacks a field. */
        static TaskStatus read(long tid) {
            String text = taskFile(tid, "status");
            if (text == null) {
                return null;
            }
            String sigBlk = null;
            String sigPnd = null;
            long switches = 0;
            try {
                for (String line : text.split("\n")) {
                    if (line.startsWith("SigBlk:")) {
                        sigBlk = line.substring(7).trim();
                    } else if (line.startsWith("SigPnd:")) {
                        sigPnd = line.substring(7).trim();
                    } else if (line.startsWith("voluntary_ctxt_switches:")) {
                        switches += Long.parseLong(line.substring(24).trim());
                    } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                        switches += Long.parseLong(line.substring(27).trim());
                    }
                }
            } catch (NumberFormatException unexpected) {
                return null;
            }
            return sigBlk == null || sigPnd == null ? null : new TaskStatus(sigBlk, sigPnd, switches);
        }

        boolean blocks(int signal) {
            return new BigInteger(sigBlk, 16).testBit(signal - 1);
        }

        boolean pending(int signal) {
            return new BigInteger(sigPnd, 16).testBit(signal - 1);
        }
    }

    /**
     * A file of /proc/self/task/{tid}/, or null when it cannot be read. Decoded as ISO-8859-1, byte for byte: the
     * status file's Name line holds the thread's name cut to 15 bytes, which can split a UTF-8 character.
     */
    private static String taskFile(long tid, String name) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/self/task/" + tid + "/" + name)),
                    StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException unreadable) {
            return null; // no /proc, or the thread has just ended
        }
    }

    @Override
    public void checkAdoptableNumber(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd + " is negative; a descriptor number is 0 or more");
        }
        if (fd <= 2) {
            throw new IllegalArgumentException("fd " + fd + " is standard " + (fd == 0 ? "input" : fd == 1 ? "output" : "error")
                    + "; token pipes are handed over at descriptor 3 or above");
        }
    }

    @Override
    public void adopt(int fd) {
        int descriptorFlags = libc.fcntl(fd, F_GETFD, 0);
        if (descriptorFlags == -1) {
            throw new IllegalArgumentException("fd " + fd + " is not open: " + Errno.describe(errno()));
        }
        requirePipe(fd);
        if ((descriptorFlags & FD_CLOEXEC) != 0) {
            // An inherited descriptor cannot be close-on-exec (it would not have survived the exec): this one was
            // opened in this process, by code that did not mean to hand it over.
            throw new IllegalArgumentException("fd " + fd + " is close-on-exec, so it was not inherited: this process"
                    + " opened it itself (a token pipe end, a java.nio channel...)");
        }
        int failure = setCloseOnExec(fd);
        if (failure != 0) {
            throw new IllegalArgumentException("fd " + fd + ": cannot set close-on-exec: " + Errno.describe(failure));
        }
    }

    /** Throws unless {@code fd} is a pipe or FIFO. */
    private void requirePipe(int fd) {
        if (linux && (forcePipeSizeProbe || statxRefused)) {
            requirePipeBySize(fd);
            return;
        }
        int type = fileType(fd);
        if (type == -ENOSYS || type == -Errno.EPERM) {
            statxRefused = true; // before Linux 4.11, or a seccomp filter that does not know statx
            requirePipeBySize(fd);
            return;
        }
        if (type != S_IFIFO) {
            throw new IllegalArgumentException("fd " + fd + " is " + describeType(type) + ", not a pipe or FIFO");
        }
    }

    /**
     * Where statx is refused: fcntl(F_GETPIPE_SZ) works on pipes and FIFOs only; for any other open descriptor it
     * fails with EBADF (fs/pipe.c, pipe_fcntl), so it cannot say what else the descriptor is.
     */
    private void requirePipeBySize(int fd) {
        if (libc.fcntl(fd, F_GETPIPE_SZ, 0) < 0) {
            throw new IllegalArgumentException("fd " + fd + " is not a pipe or FIFO (fcntl F_GETPIPE_SZ: "
                    + Errno.describe(errno()) + ")");
        }
    }

    /** The S_IFMT bits of fd's mode, or -errno. statx has one layout on every Linux architecture. */
    private int fileType(int fd) {
        try (NativeBuffer stat = NativeBuffer.allocate(512); NativeBuffer emptyPath = NativeBuffer.allocate(1)) {
            if (linux) {
                return libc.syscall(LinuxSyscalls.STATX, fd, emptyPath.address(), AT_EMPTY_PATH, STATX_TYPE,
                        stat.address()) == 0 ? stat.getShort(STATX_MODE_OFFSET) & S_IFMT : -errno();
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
        return NativeText.decode(libc.strerror(errno));
    }
}
