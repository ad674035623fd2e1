package io.tokenpipe.internal.spawn;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.Libc;
import io.tokenpipe.internal.Log;
import io.tokenpipe.internal.NativeBuffer;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.Os;
import io.tokenpipe.internal.posix.PosixIo;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Knows when one child process exits, reaps it, and signals it without ever hitting another process.
 *
 * <p>The pid-reuse race: once a child is reaped its pid is free, and a {@code kill(pid)} sent after that can
 * reach an unrelated process that got the same pid. So signalling and reaping take the same lock
 * ({@code this}): {@link #signal} sends only while the child is not reaped, and the reap happens only once the
 * child is known to have exited, under the lock, with a non-blocking {@code waitpid}. Learning of the exit
 * never reaps:
 * <ul>
 *   <li>Linux 5.3+ (x86-64, aarch64): a pidfd, polled by the one {@code tokenpipe-reaper} thread that serves
 *       every child (it runs only while children are watched, with one eventfd to learn of new ones). Signals go
 *       through {@code pidfd_send_signal}, which cannot reach another process at all.</li>
 *   <li>Elsewhere (older kernels, seccomp filters refusing pidfd_open, macOS, no descriptor left): one small
 *       daemon thread per child blocked in {@code waitid(P_PID, pid, WEXITED | WNOWAIT)}, which reports the exit
 *       and leaves the child a zombie (its pid reserved) until the reap under the lock.</li>
 * </ul>
 * Either way every child is reaped as soon as it exits, whether or not anyone waits for it: no zombie
 * outlives its exit by more than a moment while this JVM lives.
 *
 * <p>The exit code is published only after every descriptor the watch used is closed, so a caller that saw the
 * exit can count descriptors at once.
 */
public final class ChildWatch {
    /** {@link #exitCode()} while the child has not been reaped. */
    public static final int RUNNING = Integer.MIN_VALUE;
    /** {@link #exitCode()} when the status was taken by someone else (SIGCHLD ignored, a waitpid(-1) elsewhere). */
    public static final int LOST = -1;
    /** {@link #tryReap} when the child has not exited after all. */
    static final int NOT_YET = Integer.MIN_VALUE + 1;

    private static final boolean MAC = Os.MAC;
    private static final Libc LIBC = ((PosixIo) NativeIo.get()).libc();
    private static final int WNOHANG = 1;
    private static final int P_PID = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = MAC ? 0x20 : 0x01000000;
    private static final int ECHILD = 10;
    private static final int SIGKILL = 9;
    private static final long WATCHER_STACK_SIZE = 256 * 1024;

    private final int pid;
    /** The pidfd while the reaper thread watches the child, else -1. Guarded by this. */
    private int pidfd = -1;
    /** Guarded by this: once true, the pid may belong to another process and is never signalled again. */
    private boolean reaped;
    /** Written under this lock, read without it. */
    private volatile int exitCode = RUNNING;

    private ChildWatch(int pid) {
        this.pid = pid;
    }

    /**
     * Starts watching child {@code pid} of this process, which nobody else reaps.
     *
     * @param allowPidfd false to use the thread-per-child way even where pidfds work (tests)
     * @throws OutOfMemoryError (or another Error) when no watcher thread could be started; the caller must then
     *         {@link #killAndReap} the child
     */
    public static ChildWatch watch(int pid, boolean allowPidfd) {
        ChildWatch child = new ChildWatch(pid);
        if (allowPidfd && LinuxPidfd.AVAILABLE) {
            int fd = LinuxPidfd.pidfdOpen(pid); // our unreaped child: the pid cannot have been reused
            if (fd >= 0) {
                synchronized (child) {
                    child.pidfd = fd;
                }
                boolean registered = false;
                try {
                    registered = PidfdReaper.register(child);
                } finally {
                    if (!registered) {
                        synchronized (child) {
                            LIBC.close(fd);
                            child.pidfd = -1;
                        }
                    }
                }
                if (registered) {
                    return child;
                }
            }
        }
        Thread watcher = new Thread(null, child::waitThenReap, "tokenpipe-reaper-" + pid, WATCHER_STACK_SIZE);
        watcher.setDaemon(true);
        watcher.start();
        return child;
    }

    /** For a child that could not be watched: SIGKILL it and reap it, waiting (it dies at once). */
    public static void killAndReap(int pid) {
        LIBC.kill(pid, SIGKILL);
        try (NativeBuffer status = NativeBuffer.allocate(8)) {
            while (LIBC.waitpid(pid, status.address(), 0) == -1 && LIBC.errno() == Errno.EINTR) {
                // retry
            }
        }
    }

    public int pid() {
        return pid;
    }

    /** The pidfd the reaper thread polls (it is the only thread that closes it). */
    synchronized int pidfd() {
        return pidfd;
    }

    /**
     * Sends {@code signal} unless the child was already reaped.
     *
     * @return true if it was sent; false once the child has exited (or the OS refused)
     */
    public synchronized boolean signal(int signal) {
        if (reaped) {
            return false;
        }
        int result = pidfd >= 0 ? LinuxPidfd.pidfdSendSignal(pidfd, signal) : LIBC.kill(pid, signal);
        return result == 0;
    }

    /** The exit code (0-255; 128+N when killed by signal N; {@link #LOST}), or {@link #RUNNING}. */
    public int exitCode() {
        return exitCode;
    }

    /** Waits until the exit code is known. */
    public synchronized int awaitExit() throws InterruptedException {
        while (exitCode == RUNNING) {
            wait();
        }
        return exitCode;
    }

    /** Waits at most {@code nanos}; true once the exit code is known. */
    public synchronized boolean awaitExit(long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        while (exitCode == RUNNING) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** As {@link #awaitExit(long)}, but an interrupt does not end the wait; the interrupt status is kept. */
    public boolean awaitExitUninterruptibly(long nanos) {
        long deadline = System.nanoTime() + nanos;
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return awaitExit(deadline - System.nanoTime());
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Reaps the child if it has exited, under the lock {@link #signal} takes, and closes its pidfd.
     *
     * @param status 4 bytes of native memory for the wait status
     * @return the exit code, or {@link #NOT_YET} when the child is still running
     */
    synchronized int tryReap(NativeBuffer status) {
        int code;
        while (true) {
            int result = LIBC.waitpid(pid, status.address(), WNOHANG);
            if (result == pid) {
                code = decode(status.getInt(0));
                break;
            }
            if (result == 0) {
                return NOT_YET;
            }
            int errno = LIBC.errno();
            if (errno != Errno.EINTR) {
                code = LOST; // ECHILD: someone else reaped it; nothing more to learn
                try { // building the message may run out of memory: the pidfd must still be closed below
                    Log.log(System.Logger.Level.WARNING, "child " + pid + " could not be reaped ("
                            + Errno.describe(errno) + "): its exit code is lost; does something in this JVM ignore"
                            + " SIGCHLD or call waitpid(-1)?");
                } catch (Throwable messageLost) {
                    // lost, as with a logging backend that fails (Log)
                }
                break;
            }
        }
        reaped = true;
        if (pidfd >= 0) {
            LIBC.close(pidfd);
            pidfd = -1;
        }
        return code;
    }

    /** Makes the exit code visible and wakes the waiters; called after every descriptor of the watch is closed. */
    synchronized void publish(int code) {
        exitCode = code;
        notifyAll();
    }

    /** The thread-per-child way: learn of the exit with waitid(WNOWAIT), which leaves the pid reserved. */
    private void waitThenReap() {
        try (NativeBuffer info = NativeBuffer.allocate(128); NativeBuffer status = NativeBuffer.allocate(8)) {
            boolean waitidWorks = true;
            while (true) {
                Thread.interrupted(); // a library thread: an interrupt is cleared and ignored (parking would spin)
                if (waitidWorks) {
                    int result = LIBC.waitid(P_PID, pid, info.address(), WEXITED | WNOWAIT);
                    if (result != 0) {
                        int errno = LIBC.errno();
                        if (errno == Errno.EINTR) {
                            continue;
                        }
                        if (errno != ECHILD) {
                            waitidWorks = false;
                            try { // building the message may run out of memory: this thread must go on
                                Log.log(System.Logger.Level.DEBUG, "waitid(WNOWAIT) failed for child " + pid + " ("
                                        + Errno.describe(errno) + "); polling it every 20 ms instead");
                            } catch (Throwable messageLost) {
                                // lost, as with a logging backend that fails (Log)
                            }
                        }
                    }
                }
                int code = tryReap(status);
                if (code != NOT_YET) {
                    publish(code);
                    return;
                }
                LockSupport.parkNanos(waitidWorks ? 1_000_000L : 20_000_000L);
            }
        }
    }

    /** The shell's convention: the exit status, or 128 + the signal that killed the child. */
    static int decode(int status) {
        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    @Override
    public String toString() {
        int code = exitCode;
        return "pid " + pid + (code == RUNNING ? ", running" : ", exit " + code);
    }
}
