package io.tokenpipe.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_CHAR;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.tokenpipe.internal.Libc;
import io.tokenpipe.internal.Os;
import io.tokenpipe.internal.ffm.Downcalls.CallState;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;

/**
 * {@link Libc} through java.lang.foreign downcalls.
 *
 * <p>Each C function has a holder class of its own whose static final method handle is made when the
 * function is first called: a fresh JVM binds only what it uses (the first {@code make()} binds about six
 * functions; the posix_spawn family waits for the first child), and a static final handle is a constant the
 * JIT inlines through. Adding a function is one holder line and one method.
 *
 * <p>Functions that report failure through errno are bound with {@link CallState#CAPTURE} and take the
 * calling thread's capture segment as their first argument; {@link #errno()} reads it. Those that return an
 * error number (posix_spawn*, pthread_*) and those that cannot fail are bound without it. Every call is a
 * plain downcall, and pointers are {@code long} addresses: see {@link Downcalls} for why.
 */
final class FfmLibc implements Libc {
    /** The C library: glibc or musl on Linux, libSystem on macOS (the linker's default lookup). */
    private static final SymbolLookup LIBC = Downcalls.LINKER.defaultLookup();
    private static final boolean MAC = Os.MAC;
    /** size_t, ssize_t, pointers, long and pthread_t are 8 bytes on every supported (64-bit) platform. */
    private static final MemoryLayout LONG = JAVA_LONG;

    FfmLibc() {
    }

    /** Makes the first restricted call: binds getpid. */
    static void bindFirst() {
        if (Getpid.H == null) {
            throw new IllegalStateException("getpid not bound");
        }
    }

    /** A function that sets errno on failure: bound with the capture option, called with the thread's segment. */
    private static MethodHandle errnoCall(String name, MemoryLayout result, MemoryLayout... arguments) {
        return Downcalls.bind(LIBC, name, FunctionDescriptor.of(result, arguments), true, -1);
    }

    /** As {@link #errnoCall}, for a variadic function whose fixed arguments are the first {@code fixed}. */
    private static MethodHandle variadicErrnoCall(String name, int fixed, MemoryLayout result,
            MemoryLayout... arguments) {
        return Downcalls.bind(LIBC, name, FunctionDescriptor.of(result, arguments), true, fixed);
    }

    /** A function that returns its error number, or cannot fail. */
    private static MethodHandle call(String name, MemoryLayout result, MemoryLayout... arguments) {
        return Downcalls.bind(LIBC, name, FunctionDescriptor.of(result, arguments), false, -1);
    }

    /** As {@link #call}, or null when this C library lacks the function. */
    private static MethodHandle optionalCall(String name, MemoryLayout result, MemoryLayout... arguments) {
        return Downcalls.optional(LIBC, name, FunctionDescriptor.of(result, arguments), false, -1).orElse(null);
    }

    // One holder per C function, bound on first use. The C prototype is the comment.

    /** ssize_t read(int fd, void *buf, size_t count); blocks until a token, end of stream or a signal. */
    private static final class Read {
        static final MethodHandle H = errnoCall("read", LONG, JAVA_INT, LONG, LONG);
    }

    /** ssize_t write(int fd, const void *buf, size_t count); blocks while the pipe is full. */
    private static final class Write {
        static final MethodHandle H = errnoCall("write", LONG, JAVA_INT, LONG, LONG);
    }

    /**
     * int close(int fd); without errno, which nobody reads after close: a downcall that captures errno allocates
     * 40 B per call (a slice of the capture segment) until C2 removes it, and close must work with the heap full
     * (an OutOfMemoryError before close(2) would leave the descriptor open; OutOfMemoryTest). A plain one allocates
     * nothing once past {@link Downcalls#passCustomization}.
     */
    private static final class Close {
        static final MethodHandle H = call("close", JAVA_INT, JAVA_INT);

        static {
            Downcalls.passCustomization(H);
        }
    }

    /** int pipe(int fds[2]); */
    private static final class Pipe {
        static final MethodHandle H = errnoCall("pipe", JAVA_INT, LONG);
    }

    /** int pipe2(int fds[2], int flags); Linux and the BSDs, not macOS. */
    private static final class Pipe2 {
        static final MethodHandle H = Downcalls.optional(LIBC, "pipe2",
                FunctionDescriptor.of(JAVA_INT, LONG, JAVA_INT), true, -1).orElse(null);
    }

    /**
     * int fcntl(int fd, int cmd, ...); bound as variadic from the third argument (an int), which matters on
     * Apple arm64, where variadic arguments go on the stack, not in registers (Apple's "Writing ARM64 code for
     * Apple platforms").
     */
    private static final class Fcntl {
        static final MethodHandle H = variadicErrnoCall("fcntl", 2, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    }

    /**
     * int ioctl(int fd, unsigned long request, ...); with no variadic argument (FIOCLEX, FIONCLEX), bound as
     * variadic from the third, so that the call is made as C makes it (on x86-64, %al counts vector registers).
     */
    private static final class Ioctl {
        static final MethodHandle H = variadicErrnoCall("ioctl", 2, JAVA_INT, JAVA_INT, LONG);
    }

    /** const char *gnu_get_libc_version(void); glibc only. */
    private static final class GnuGetLibcVersion {
        static final MethodHandle H = optionalCall("gnu_get_libc_version", ADDRESS);
    }

    /** int socket(int domain, int type, int protocol); */
    private static final class Socket {
        static final MethodHandle H = errnoCall("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    }

    /**
     * ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *dest_addr,
     * socklen_t addrlen); socklen_t is a 32-bit unsigned int on Linux and macOS. Can block on a full socket (the
     * notifier passes MSG_DONTWAIT): a plain downcall, never a critical one.
     */
    private static final class Sendto {
        static final MethodHandle H = errnoCall("sendto", LONG, JAVA_INT, LONG, LONG, JAVA_INT, LONG, JAVA_INT);
    }

    /** pid_t getpid(void); cannot fail. */
    private static final class Getpid {
        static final MethodHandle H = call("getpid", JAVA_INT);
    }

    /** int sigaction(int signum, const struct sigaction *act, struct sigaction *oldact); */
    private static final class Sigaction {
        static final MethodHandle H = errnoCall("sigaction", JAVA_INT, JAVA_INT, LONG, LONG);
    }

    /**
     * int sigprocmask(int how, const sigset_t *set, sigset_t *oldset); the same shape as sigaction, which the first
     * {@code make()} binds already.
     */
    private static final class Sigprocmask {
        static final MethodHandle H = errnoCall("sigprocmask", JAVA_INT, JAVA_INT, LONG, LONG);
    }

    /**
     * int pthread_sigmask(int how, const sigset_t *set, sigset_t *oldset); returns an error number. In glibc
     * before 2.34 it is in libpthread, which is not part of the linker's default lookup.
     */
    private static final class PthreadSigmask {
        static final MethodHandle H = sigmask();

        private static MethodHandle sigmask() {
            FunctionDescriptor descriptor = FunctionDescriptor.of(JAVA_INT, JAVA_INT, LONG, LONG);
            Optional<MethodHandle> inLibc = Downcalls.optional(LIBC, "pthread_sigmask", descriptor, false, -1);
            if (inLibc.isPresent() || !Os.LINUX) {
                return inLibc.orElse(null);
            }
            try {
                return Downcalls.optional(SymbolLookup.libraryLookup("libpthread.so.0", Arena.global()),
                        "pthread_sigmask", descriptor, false, -1).orElse(null);
            } catch (IllegalArgumentException noLibpthread) {
                return null;
            }
        }
    }

    /** pthread_t pthread_self(void); an unsigned long (Linux) or a pointer (macOS): 8 bytes either way. */
    private static final class PthreadSelf {
        static final MethodHandle H = call("pthread_self", LONG);
    }

    /** int pthread_kill(pthread_t thread, int sig); returns an error number. */
    private static final class PthreadKill {
        static final MethodHandle H = call("pthread_kill", JAVA_INT, LONG, JAVA_INT);
    }

    /** char *strerror(int errnum); */
    private static final class Strerror {
        static final MethodHandle H = call("strerror", ADDRESS, JAVA_INT);
    }

    /** int getrlimit(int resource, struct rlimit *rlim); */
    private static final class Getrlimit {
        static final MethodHandle H = errnoCall("getrlimit", JAVA_INT, JAVA_INT, LONG);
    }

    /**
     * int poll(struct pollfd *fds, nfds_t nfds, int timeout); nfds_t is an unsigned long in glibc and musl
     * ({@code <sys/poll.h>}) but an unsigned int on macOS ({@code <poll.h>}: {@code typedef unsigned int
     * nfds_t}). Either way the handle takes an int, widened where C wants a long.
     */
    private static final class Poll {
        static final MethodHandle H = poll();

        private static MethodHandle poll() {
            MethodHandle bound = errnoCall("poll", JAVA_INT, LONG, MAC ? JAVA_INT : LONG, JAVA_INT);
            return bound.asType(MethodType.methodType(int.class, MemorySegment.class, long.class, int.class,
                    int.class));
        }
    }

    /** pid_t waitpid(pid_t pid, int *status, int options); blocks unless WNOHANG. */
    private static final class Waitpid {
        static final MethodHandle H = errnoCall("waitpid", JAVA_INT, JAVA_INT, LONG, JAVA_INT);
    }

    /** int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options); both types are 4 bytes. Blocks. */
    private static final class Waitid {
        static final MethodHandle H = errnoCall("waitid", JAVA_INT, JAVA_INT, JAVA_INT, LONG, JAVA_INT);
    }

    /** int kill(pid_t pid, int sig); */
    private static final class Kill {
        static final MethodHandle H = errnoCall("kill", JAVA_INT, JAVA_INT, JAVA_INT);
    }

    /** int sigemptyset(sigset_t *set); */
    private static final class Sigemptyset {
        static final MethodHandle H = errnoCall("sigemptyset", JAVA_INT, LONG);
    }

    /** int posix_spawnp(pid_t *pid, const char *file, actions, attrp, char *const argv[], char *const envp[]); */
    private static final class PosixSpawnp {
        static final MethodHandle H = call("posix_spawnp", JAVA_INT, LONG, LONG, LONG, LONG, LONG, LONG);
    }

    /** int posix_spawn_file_actions_init(posix_spawn_file_actions_t *file_actions); */
    private static final class ActionsInit {
        static final MethodHandle H = call("posix_spawn_file_actions_init", JAVA_INT, LONG);
    }

    /** int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *file_actions); */
    private static final class ActionsDestroy {
        static final MethodHandle H = call("posix_spawn_file_actions_destroy", JAVA_INT, LONG);
    }

    /** int posix_spawn_file_actions_adddup2(file_actions, int fildes, int newfildes); */
    private static final class ActionsAdddup2 {
        static final MethodHandle H = call("posix_spawn_file_actions_adddup2", JAVA_INT, LONG, JAVA_INT, JAVA_INT);
    }

    /** int posix_spawn_file_actions_addclose(file_actions, int fildes); */
    private static final class ActionsAddclose {
        static final MethodHandle H = call("posix_spawn_file_actions_addclose", JAVA_INT, LONG, JAVA_INT);
    }

    /**
     * int posix_spawn_file_actions_addopen(file_actions, int fildes, const char *path, int oflag, mode_t mode);
     * mode_t is an unsigned int on Linux but an unsigned 16-bit __uint16_t on macOS ({@code <sys/_types.h>}:
     * {@code typedef __uint16_t __darwin_mode_t}; {@code <sys/_types/_mode_t.h>}: {@code typedef __darwin_mode_t
     * mode_t}), which Apple arm64 wants extended to 32 bits by the caller, zero-extended as it is unsigned: bound as
     * JAVA_CHAR there (FFM's one unsigned 16-bit layout, so that the linker zero-extends; JAVA_SHORT would
     * sign-extend a mode with bit 15 set), taking an int either way.
     */
    private static final class ActionsAddopen {
        static final MethodHandle H = addopen();

        private static MethodHandle addopen() {
            MethodHandle bound = call("posix_spawn_file_actions_addopen", JAVA_INT, LONG, JAVA_INT, LONG,
                    JAVA_INT, MAC ? JAVA_CHAR : JAVA_INT);
            return MethodHandles.explicitCastArguments(bound,
                    MethodType.methodType(int.class, long.class, int.class, long.class, int.class, int.class));
        }
    }

    /** int posix_spawn_file_actions_addchdir_np(file_actions, const char *path); glibc 2.29+, macOS 10.15+. */
    private static final class ActionsAddchdir {
        static final MethodHandle H = optionalCall("posix_spawn_file_actions_addchdir_np", JAVA_INT, LONG, LONG);
    }

    /** int posix_spawn_file_actions_addclosefrom_np(file_actions, int from); glibc 2.34+. */
    private static final class ActionsAddclosefrom {
        static final MethodHandle H = optionalCall("posix_spawn_file_actions_addclosefrom_np", JAVA_INT, LONG,
                JAVA_INT);
    }

    /** int posix_spawn_file_actions_addinherit_np(file_actions, int filedes); macOS only. */
    private static final class ActionsAddinherit {
        static final MethodHandle H = optionalCall("posix_spawn_file_actions_addinherit_np", JAVA_INT, LONG,
                JAVA_INT);
    }

    /** int posix_spawnattr_init(posix_spawnattr_t *attr); */
    private static final class AttrInit {
        static final MethodHandle H = call("posix_spawnattr_init", JAVA_INT, LONG);
    }

    /** int posix_spawnattr_destroy(posix_spawnattr_t *attr); */
    private static final class AttrDestroy {
        static final MethodHandle H = call("posix_spawnattr_destroy", JAVA_INT, LONG);
    }

    /** int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags); a short on Linux and macOS. */
    private static final class AttrSetflags {
        static final MethodHandle H = call("posix_spawnattr_setflags", JAVA_INT, LONG, JAVA_SHORT);
    }

    /** int posix_spawnattr_setsigmask(posix_spawnattr_t *attr, const sigset_t *sigmask); */
    private static final class AttrSetsigmask {
        static final MethodHandle H = call("posix_spawnattr_setsigmask", JAVA_INT, LONG, LONG);
    }

    /** int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr, const sigset_t *sigdefault); */
    private static final class AttrSetsigdefault {
        static final MethodHandle H = call("posix_spawnattr_setsigdefault", JAVA_INT, LONG, LONG);
    }

    /** int __libc_current_sigrtmax(void); glibc and musl (behind SIGRTMAX). */
    private static final class Sigrtmax {
        static final MethodHandle H = call("__libc_current_sigrtmax", JAVA_INT);
    }

    /** pid_t gettid(void); glibc 2.30+, musl 1.2.2+. */
    private static final class Gettid {
        static final MethodHandle H = optionalCall("gettid", JAVA_INT);
    }

    /**
     * long syscall(long number, ...); bound as variadic after the number, with five long arguments: the
     * kernel reads as many as the call has and ignores the rest, and every argument used here is an int,
     * a long or a pointer, which the variadic convention passes as a full register (x86-64, aarch64 Linux).
     */
    private static final class Syscall {
        static final MethodHandle H = variadicErrnoCall("syscall", 1, LONG, LONG, LONG, LONG, LONG, LONG, LONG);
    }

    /** int eventfd(unsigned int initval, int flags); Linux. */
    private static final class Eventfd {
        static final MethodHandle H = errnoCall("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    }

    /**
     * int fstat(int fd, struct stat *buf) with the 64-bit-inode struct stat: on x86-64 macOS the plain symbol
     * fills the old 32-bit-inode layout, and {@code fstat$INODE64} the new one ({@code <sys/stat.h>},
     * {@code __DARWIN_INODE64}); arm64 macOS has only the 64-bit-inode ABI, under the plain name.
     */
    private static final class Fstat {
        static final MethodHandle H = errnoCall(MAC && Os.ARCH.equals("x86-64") ? "fstat$INODE64" : "fstat",
                JAVA_INT, JAVA_INT, LONG);
    }

    @Override
    public int errno() {
        return CallState.last();
    }

    @Override
    public long read(int fd, long buf, long count) {
        try {
            return (long) Read.H.invokeExact(CallState.state(), fd, buf, count);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public long write(int fd, long buf, long count) {
        try {
            return (long) Write.H.invokeExact(CallState.state(), fd, buf, count);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int close(int fd) {
        try {
            return (int) Close.H.invokeExact(fd);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int pipe(long fds) {
        try {
            return (int) Pipe.H.invokeExact(CallState.state(), fds);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public boolean hasPipe2() {
        return Pipe2.H != null;
    }

    @Override
    public int pipe2(long fds, int flags) {
        try {
            return (int) available(Pipe2.H, "pipe2").invokeExact(CallState.state(), fds, flags);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        try {
            return (int) Fcntl.H.invokeExact(CallState.state(), fd, cmd, arg);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int ioctl(int fd, long request) {
        try {
            return (int) Ioctl.H.invokeExact(CallState.state(), fd, request);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public boolean hasGnuGetLibcVersion() {
        return GnuGetLibcVersion.H != null;
    }

    @Override
    public String gnu_get_libc_version() {
        try {
            MemorySegment text = (MemorySegment) available(GnuGetLibcVersion.H, "gnu_get_libc_version").invokeExact();
            return text.equals(MemorySegment.NULL) ? null : text.reinterpret(Long.MAX_VALUE).getString(0);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    // socket and sendto: only the systemd notification socket (posix.UnixDatagram) uses them

    @Override
    public int socket(int domain, int type, int protocol) {
        try {
            return (int) Socket.H.invokeExact(CallState.state(), domain, type, protocol);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public long sendto(int fd, long buf, long len, int flags, long destAddr, int addrlen) {
        try {
            return (long) Sendto.H.invokeExact(CallState.state(), fd, buf, len, flags, destAddr, addrlen);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int getpid() {
        try {
            return (int) Getpid.H.invokeExact();
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int sigaction(int signum, long act, long oldact) {
        try {
            return (int) Sigaction.H.invokeExact(CallState.state(), signum, act, oldact);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int sigprocmask(int how, long set, long oldset) {
        try {
            return (int) Sigprocmask.H.invokeExact(CallState.state(), how, set, oldset);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int pthread_sigmask(int how, long set, long oldset) {
        try {
            return (int) available(PthreadSigmask.H, "pthread_sigmask").invokeExact(how, set, oldset);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public long pthread_self() {
        try {
            return (long) PthreadSelf.H.invokeExact();
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int pthread_kill(long thread, int sig) {
        try {
            return (int) PthreadKill.H.invokeExact(thread, sig);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public byte[] strerror(int errnum) {
        try {
            return Downcalls.cString((MemorySegment) Strerror.H.invokeExact(errnum));
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int getrlimit(int resource, long rlim) {
        try {
            return (int) Getrlimit.H.invokeExact(CallState.state(), resource, rlim);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int poll(long fds, int nfds, int timeout) {
        try {
            return (int) Poll.H.invokeExact(CallState.state(), fds, nfds, timeout);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int waitpid(int pid, long status, int options) {
        try {
            return (int) Waitpid.H.invokeExact(CallState.state(), pid, status, options);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int waitid(int idtype, int id, long info, int options) {
        try {
            return (int) Waitid.H.invokeExact(CallState.state(), idtype, id, info, options);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int kill(int pid, int sig) {
        try {
            return (int) Kill.H.invokeExact(CallState.state(), pid, sig);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int sigemptyset(long set) {
        try {
            return (int) Sigemptyset.H.invokeExact(CallState.state(), set);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int posix_spawnp(long pid, long file, long fileActions, long attr, long argv, long envp) {
        try {
            return (int) PosixSpawnp.H.invokeExact(pid, file, fileActions, attr, argv, envp);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int posix_spawn_file_actions_init(long fileActions) {
        try {
            return (int) ActionsInit.H.invokeExact(fileActions);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int posix_spawn_file_actions_destroy(long fileActions) {
        try {
            return (int) ActionsDestroy.H.invokeExact(fileActions);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int posix_spawn_file_actions_adddup2(long fileActions, int fd, int newfd) {
        try {
            return (int) ActionsAdddup2.H.invokeExact(fileActions, fd, newfd);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int posix_spawn_file_actions_addclose(long fileActions, int fd) {
        try {
            return (int) ActionsAddclose.H.invokeExact(fileActions, fd);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int posix_spawn_file_actions_addopen(long fileActions, int fd, long path, int oflag, int mode) {
        try {
            return (int) ActionsAddopen.H.invokeExact(fileActions, fd, path, oflag, mode);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public boolean hasAddchdir() {
        return ActionsAddchdir.H != null;
    }

    @Override
    public int posix_spawn_file_actions_addchdir_np(long fileActions, long path) {
        try {
            return (int) available(ActionsAddchdir.H, "posix_spawn_file_actions_addchdir_np")
                    .invokeExact(fileActions, path);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public boolean hasAddclosefrom() {
        return ActionsAddclosefrom.H != null;
    }

    @Override
    public int posix_spawn_file_actions_addclosefrom_np(long fileActions, int from) {
        try {
            return (int) available(ActionsAddclosefrom.H, "posix_spawn_file_actions_addclosefrom_np")
                    .invokeExact(fileActions, from);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public boolean hasAddinherit() {
        return ActionsAddinherit.H != null;
    }

    @Override
    public int posix_spawn_file_actions_addinherit_np(long fileActions, int fd) {
        try {
            return (int) available(ActionsAddinherit.H, "posix_spawn_file_actions_addinherit_np")
                    .invokeExact(fileActions, fd);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int posix_spawnattr_init(long attr) {
        try {
            return (int) AttrInit.H.invokeExact(attr);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int posix_spawnattr_destroy(long attr) {
        try {
            return (int) AttrDestroy.H.invokeExact(attr);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int posix_spawnattr_setflags(long attr, short flags) {
        try {
            return (int) AttrSetflags.H.invokeExact(attr, flags);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int posix_spawnattr_setsigmask(long attr, long sigmask) {
        try {
            return (int) AttrSetsigmask.H.invokeExact(attr, sigmask);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int posix_spawnattr_setsigdefault(long attr, long sigdefault) {
        try {
            return (int) AttrSetsigdefault.H.invokeExact(attr, sigdefault);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public long functionAddress(String name) {
        return LIBC.find(name).map(MemorySegment::address).orElse(0L);
    }

    @Override
    public int __libc_current_sigrtmax() {
        try {
            return (int) Sigrtmax.H.invokeExact();
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public boolean hasGettid() {
        return Gettid.H != null;
    }

    @Override
    public int gettid() {
        try {
            return (int) available(Gettid.H, "gettid").invokeExact();
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public long syscall(long number, long arg1, long arg2, long arg3, long arg4, long arg5) {
        try {
            return (long) Syscall.H.invokeExact(CallState.state(), number, arg1, arg2, arg3, arg4, arg5);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int eventfd(int initval, int flags) {
        try {
            return (int) Eventfd.H.invokeExact(CallState.state(), initval, flags);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    @Override
    public int fstat(int fd, long statbuf) {
        try {
            return (int) Fstat.H.invokeExact(CallState.state(), fd, statbuf);
        } catch (Throwable e) {
            throw Downcalls.unexpected(e);
        }
    }

    private static MethodHandle available(MethodHandle handle, String function) {
        if (handle == null) {
            throw new UnsupportedOperationException(function + " is not in this C library");
        }
        return handle;
    }
}
