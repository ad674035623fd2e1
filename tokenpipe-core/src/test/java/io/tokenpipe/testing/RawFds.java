package io.tokenpipe.testing;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Raw descriptors for tests (Linux): made with libc directly, so a test can hand the library a regular file, a
 * socket or a pipe that is not close-on-exec, and inspect flags through /proc/self/fdinfo.
 */
public final class RawFds {
    public static final int O_RDONLY = 0;
    public static final int O_RDWR = 2;
    public static final int O_NONBLOCK = 0x800;
    public static final int O_CLOEXEC = 0x80000;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    /** asm-generic/resource.h: the same on x86-64 and aarch64 Linux. */
    private static final int RLIMIT_NOFILE = 7;
    private static final int RLIMIT_SIGPENDING = 11;

    static {
        Native.register(RawFds.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private RawFds() {
    }

    /** A copy of {@code fd} that is NOT close-on-exec (dup never sets it). */
    public static native int dup(int fd);

    public static native int close(int fd);

    public static native int open(String path, int flags, int mode);

    public static native int socket(int domain, int type, int protocol);

    /** A pipe that is NOT close-on-exec: fds[0] reads, fds[1] writes. */
    public static native int pipe(int[] fds);

    public static native int fcntl(int fd, int cmd, int arg);

    public static native int mkfifo(String path, int mode);

    public static native int write(int fd, byte[] buffer, long count);

    /** {@code limits}: struct rlimit, {rlim_cur, rlim_max}. */
    private static native int getrlimit(int resource, long[] limits);

    private static native int setrlimit(int resource, long[] limits);

    /** This process's soft limit on open descriptors (RLIMIT_NOFILE). */
    public static long softFdLimit() {
        return limits(RLIMIT_NOFILE)[0];
    }

    /**
     * Sets this process's soft limit on open descriptors, the hard limit unchanged. Descriptors already open stay
     * open; a new one (open, pipe, socket, dup, on any thread) gets EMFILE unless a number below the limit is free,
     * so at 0 every one does, however many are closed meanwhile.
     */
    public static void setSoftFdLimit(long soft) {
        setSoftLimit(RLIMIT_NOFILE, soft);
    }

    /** This process's soft limit on queued signals (RLIMIT_SIGPENDING). */
    public static long softSignalLimit() {
        return limits(RLIMIT_SIGPENDING)[0];
    }

    /** This process's hard limit on queued signals (RLIMIT_SIGPENDING). */
    public static long hardSignalLimit() {
        return limits(RLIMIT_SIGPENDING)[1];
    }

    /**
     * Sets this process's soft limit on queued signals, the hard limit unchanged: a real-time signal sent to any of
     * its threads fails with EAGAIN (tgkill, kill, sigqueue) while its user has this many or more queued.
     */
    public static void setSoftSignalLimit(long soft) {
        setSoftLimit(RLIMIT_SIGPENDING, soft);
    }

    /** {soft, hard} of {@code resource}. */
    private static long[] limits(int resource) {
        long[] limits = new long[2];
        check(getrlimit(resource, limits), "getrlimit");
        return limits;
    }

    private static void setSoftLimit(int resource, long soft) {
        long[] limits = limits(resource);
        limits[0] = soft;
        check(setrlimit(resource, limits), "setrlimit");
    }

    /** An AF_UNIX stream socket, close-on-exec. */
    public static int unixSocket() {
        return check(socket(AF_UNIX, SOCK_STREAM | O_CLOEXEC, 0), "socket");
    }

    /** Opens {@code path} read-only, close-on-exec. */
    public static int openReadOnly(Path path) {
        return check(open(path.toString(), O_RDONLY | O_CLOEXEC, 0), "open " + path);
    }

    /** The "flags:" of /proc/self/fdinfo/fd (open flags, O_CLOEXEC included), as a number. */
    public static int fdinfoFlags(int fd) {
        return fdinfoFlags("self", fd);
    }

    /** The "flags:" of /proc/{pid}/fdinfo/fd. */
    public static int fdinfoFlags(String pid, int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "fdinfo", Integer.toString(fd)))) {
                if (line.startsWith("flags:")) {
                    return Integer.parseInt(line.substring(6).trim(), 8);
                }
            }
            throw new IllegalStateException("no flags line for fd " + fd);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The descriptors open in process {@code pid} ("self" for this one), from /proc/pid/fd. */
    public static TreeSet<Integer> openFds(String pid) {
        TreeSet<Integer> fds = new TreeSet<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc", pid, "fd"))) {
            entries.forEach(entry -> fds.add(Integer.parseInt(entry.getFileName().toString())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fds;
    }

    /** What fd of process pid refers to, e.g. "pipe:[1234]", or null when it is not open. */
    public static String target(String pid, int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", pid, "fd", Integer.toString(fd))).toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether this process has {@code fd} open. */
    public static boolean isOpen(int fd) {
        return fcntl(fd, 1 /* F_GETFD */, 0) != -1;
    }

    /** The descriptors this process holds that are not close-on-exec, from fdinfo (the listing's own excluded). */
    public static List<Integer> inheritableFds() {
        return openFds("self").stream().filter(fd -> {
            try {
                return (fdinfoFlags(fd) & O_CLOEXEC) == 0;
            } catch (UncheckedIOException gone) {
                return false;
            }
        }).toList();
    }

    private static int check(int result, String what) {
        if (result < 0) {
            throw new IllegalStateException(what + " failed: errno " + Native.getLastError());
        }
        return result;
    }
}
