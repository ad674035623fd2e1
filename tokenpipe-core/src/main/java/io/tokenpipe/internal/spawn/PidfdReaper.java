package io.tokenpipe.internal.spawn;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.Libc;
import io.tokenpipe.internal.Log;
import io.tokenpipe.internal.NativeBuffer;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.posix.PosixIo;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread that waits for every child watched through a pidfd: it polls their pidfds and an eventfd
 * (written when a child is added) and reaps each child as its pidfd becomes readable. It runs only while at
 * least one child is watched: with the last child it closes its eventfd and ends, so a JVM that starts no
 * more children holds no thread and no descriptor for them.
 */
final class PidfdReaper implements Runnable {
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800;
    private static final short POLLIN = 1;
    private static final int POLLFD_SIZE = 8;
    private static final long STACK_SIZE = 256 * 1024;
    private static final Libc LIBC = ((PosixIo) NativeIo.get()).libc();

    private static final Object LOCK = new Object();
    /** Guarded by LOCK. */
    private static final List<ChildWatch> CHILDREN = new ArrayList<>();
    /** Guarded by LOCK: the running thread's eventfd, -1 when no thread runs. */
    private static int wakeFd = -1;
    /** Guarded by LOCK: the 8-byte 1 written to the eventfd. */
    private static final NativeBuffer ONE = NativeBuffer.allocate(8).putLong(0, 1);

    /** This thread's eventfd; it closes it itself, with the last child. */
    private final int wake;
    private final NativeBuffer status = NativeBuffer.allocate(8);
    private final NativeBuffer drain = NativeBuffer.allocate(8);
    private NativeBuffer pollFds = NativeBuffer.allocate(64 * POLLFD_SIZE);

    private PidfdReaper(int wake) {
        this.wake = wake;
    }

    /**
     * Adds a child whose pidfd is set, starting the thread if none runs.
     *
     * @return false when no eventfd could be made (EMFILE...): the caller watches the child another way
     */
    static boolean register(ChildWatch child) {
        synchronized (LOCK) {
            if (wakeFd >= 0) {
                CHILDREN.add(child);
                LIBC.write(wakeFd, ONE.address(), 8); // never blocks: a counter far from full
                return true;
            }
            int fd = LIBC.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (fd < 0) {
                return false;
            }
            try {
                Thread thread = new Thread(null, new PidfdReaper(fd), "tokenpipe-reaper", STACK_SIZE);
                thread.setDaemon(true);
                thread.start(); // it waits for LOCK before it looks at CHILDREN
            } catch (Throwable e) { // OutOfMemoryError: unable to create a native thread
                LIBC.close(fd);
                throw e;
            }
            wakeFd = fd;
            CHILDREN.add(child);
            return true;
        }
    }

    @Override
    public void run() {
        while (true) {
            Thread.interrupted(); // a library thread: an interrupt is cleared and ignored (parking would spin)
            try {
                if (pollAndReap()) {
                    return;
                }
            } catch (RuntimeException | Error e) { // OutOfMemoryError: keep going, the children depend on it
                // A constant message: building one here could run out of memory again and end this thread.
                Log.log(System.Logger.Level.WARNING, "tokenpipe-reaper: a round failed; it goes on", e);
                LockSupport.parkNanos(10_000_000L);
            }
        }
    }

    /** One poll and the reaping it allows; true when the last child was reaped and this thread must end. */
    private boolean pollAndReap() {
        ChildWatch[] watched;
        synchronized (LOCK) {
            watched = CHILDREN.toArray(new ChildWatch[0]); // never empty: the thread ends with the last child
        }
        int size = POLLFD_SIZE * (watched.length + 1);
        if (pollFds.size() < size) {
            pollFds = NativeBuffer.allocate(2 * size); // the old one is garbage now
        }
        setPollFd(0, wake);
        for (int i = 0; i < watched.length; i++) {
            setPollFd(i + 1, watched[i].pidfd());
        }
        int ready = LIBC.poll(pollFds.address(), watched.length + 1, -1);
        if (ready < 0) {
            int errno = LIBC.errno();
            if (errno != Errno.EINTR) {
                try {
                    Log.log(System.Logger.Level.WARNING, "poll on child pidfds failed: " + Errno.describe(errno));
                } catch (Throwable messageLost) {
                    // lost, as with a logging backend that fails (Log); the pause below must still come
                }
                LockSupport.parkNanos(10_000_000L);
            }
            return false;
        }
        if (revents(0) != 0) {
            LIBC.read(wake, drain.address(), 8); // resets the counter; new children are in CHILDREN
        }
        boolean retrySoon = false;
        for (int i = 0; i < watched.length; i++) {
            if (revents(i + 1) == 0) {
                continue;
            }
            ChildWatch child = watched[i];
            int code = child.tryReap(status); // also closes its pidfd
            if (code == ChildWatch.NOT_YET) {
                retrySoon = true; // readable but not yet waitable: never seen, but never spin on it
                continue;
            }
            boolean last;
            synchronized (LOCK) {
                CHILDREN.remove(child);
                last = CHILDREN.isEmpty();
                if (last) {
                    LIBC.close(wake); // before the exit is published: a caller may count descriptors then
                    wakeFd = -1; // a later register starts a new thread
                }
            }
            child.publish(code);
            if (last) {
                return true; // it was the last child with revents too: every other one was removed before it
            }
        }
        if (retrySoon) {
            LockSupport.parkNanos(1_000_000L);
        }
        return false;
    }

    private void setPollFd(int index, int fd) {
        int offset = index * POLLFD_SIZE;
        pollFds.putInt(offset, fd);
        pollFds.putShort(offset + 4, POLLIN);
        pollFds.putShort(offset + 6, (short) 0);
    }

    private short revents(int index) {
        return pollFds.getShort(index * POLLFD_SIZE + 6);
    }
}
