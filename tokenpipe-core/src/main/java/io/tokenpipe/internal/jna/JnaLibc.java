package io.tokenpipe.internal.jna;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import io.tokenpipe.internal.Libc;

/**
 * {@link Libc} through JNA direct mapping: every method but {@code fcntl} (see below) is a static native method
 * registered against the C library, with primitive arguments only, so that a call allocates nothing (about 50 ns of JNA around the C
 * call). JNA saves errno per thread as each call returns; {@link #errno()} reads it.
 *
 * <p>Functions some C libraries lack are registered in classes of their own, so that a missing one only turns
 * off what needs it: {@code Native.register} fails for the whole class when one symbol is missing. The base
 * class binds only what glibc 2.17+, musl and macOS all have.
 *
 * <p>Variadic functions: JNA's direct mapping cannot express them ("Varargs are not supported", JNA's
 * DirectMapping.md), so {@code fcntl} goes through an interface mapping with Java varargs ({@link Variadic}), for
 * which JNA tells libffi how many arguments are fixed (ffi_prep_cif_var; JNA 4.3+, and up to 255 fixed arguments
 * since 5.14): on Apple arm64 the variadic ones then go on the stack, as that ABI requires. It costs about a
 * microsecond more per call, and fcntl is never on the token path. {@code syscall} is called on Linux x86-64 and
 * aarch64 only, whose ABIs (System V AMD64, AAPCS64) pass variadic integer arguments exactly as fixed ones, so it
 * keeps its direct mapping. {@code ioctl} is called with no variadic argument at all.
 */
final class JnaLibc implements Libc {
    static final NativeLibrary LIBC = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME);
    /** macOS: nfds_t is an unsigned int (poll.h), on Linux an unsigned long. */
    private static final boolean INT_NFDS = Platform.isMac();
    /** x86-64 macOS: the plain fstat is the 32-bit-inode ABI; the 64-bit-inode struct stat needs fstat$INODE64. */
    private static final boolean INODE64_FSTAT = Platform.isMac() && Platform.isIntel();

    JnaLibc() {
        Base.getpid(); // binds the base functions now, so that a failure is the backend's, not a later call's
    }

    /** What every supported C library has. */
    private static final class Base {
        static {
            Native.register(Base.class, LIBC);
        }

        static native long read(int fd, long buf, long count);

        static native long write(int fd, long buf, long count);

        static native int close(int fd);

        static native int pipe(long fds);

        /** Variadic in C, but called without a variadic argument: a fixed binding is right on every ABI. */
        static native int ioctl(int fd, long request);

        static native int getpid();

        static native int sigaction(int signum, long act, long oldact);

        static native int sigprocmask(int how, long set, long oldset);

        static native long pthread_self();

        static native int pthread_kill(long thread, int sig);

        static native Pointer strerror(int errnum); // not String: JNA would decode it by its own rules

        static native int getrlimit(int resource, long rlim);

        static native int waitpid(int pid, long status, int options);

        static native int waitid(int idtype, int id, long info, int options);

        static native int kill(int pid, int sig);

        static native int poll(long fds, long nfds, int timeout);

        static native int sigemptyset(long set);

        static native int posix_spawnp(long pid, long file, long fileActions, long attr, long argv, long envp);

        static native int posix_spawn_file_actions_init(long fileActions);

        static native int posix_spawn_file_actions_destroy(long fileActions);

        static native int posix_spawn_file_actions_adddup2(long fileActions, int fd, int newfd);

        static native int posix_spawn_file_actions_addclose(long fileActions, int fd);

        /**
         * mode_t is an unsigned 16-bit __uint16_t on macOS ({@code <sys/_types.h>}); an int holding a mode (0 to
         * 0xFFFF) is that value zero-extended, which is what Apple arm64 wants from the caller. JNA's char would be a
         * 4-byte wchar_t.
         */
        static native int posix_spawn_file_actions_addopen(long fileActions, int fd, long path, int oflag, int mode);

        static native int posix_spawnattr_init(long attr);

        static native int posix_spawnattr_destroy(long attr);

        static native int posix_spawnattr_setflags(long attr, short flags);

        static native int posix_spawnattr_setsigmask(long attr, long sigmask);

        static native int posix_spawnattr_setsigdefault(long attr, long sigdefault);
    }

    /** The variadic functions, bound through an interface with Java varargs (see the class comment). */
    interface Variadic extends Library {
        Variadic C = Native.load(Platform.C_LIBRARY_NAME, Variadic.class);

        int fcntl(int fd, int cmd, Object... args);
    }

    /** macOS: poll(struct pollfd *, nfds_t, int) with nfds_t an unsigned int (poll.h). */
    private static final class MacPoll {
        static {
            Native.register(MacPoll.class, LIBC);
        }

        static native int poll(long fds, int nfds, int timeout);
    }

    /** glibc only. */
    private static final class GlibcVersion {
        static final boolean AVAILABLE = Optional.register(GlibcVersion.class);

        static native String gnu_get_libc_version();
    }

    /** Linux C library functions beyond POSIX; glibc has had them since 2.8 at the latest, musl too. */
    private static final class Linux {
        static {
            Native.register(Linux.class, LIBC);
        }

        static native int __libc_current_sigrtmax();

        /**
         * Variadic in C; called only on x86-64 and aarch64 Linux, where integer variadic arguments are passed like
         * fixed ones (System V AMD64 ABI 3.2.3, AAPCS64 6.4): a direct binding is right there.
         */
        static native long syscall(long number, long arg1, long arg2, long arg3, long arg4, long arg5);

        static native int eventfd(int initval, int flags);
    }

    /** pipe2 (Linux, the BSDs; not macOS). */
    private static final class Pipe2 {
        static final boolean AVAILABLE = Optional.register(Pipe2.class);

        static native int pipe2(long fds, int flags);
    }

    /** In glibc's libc.so only since 2.34 (before, in libpthread). */
    private static final class SigMask {
        static final boolean AVAILABLE = Optional.register(SigMask.class);

        static native int pthread_sigmask(int how, long set, long oldset);
    }

    /** glibc 2.29 and later, macOS 10.15 and later. */
    private static final class Chdir {
        static final boolean AVAILABLE = Optional.register(Chdir.class);

        static native int posix_spawn_file_actions_addchdir_np(long fileActions, long path);
    }

    /** glibc 2.34 and later. */
    private static final class CloseFrom {
        static final boolean AVAILABLE = Optional.register(CloseFrom.class);

        static native int posix_spawn_file_actions_addclosefrom_np(long fileActions, int from);
    }

    /** macOS only. */
    private static final class Inherit {
        static final boolean AVAILABLE = Optional.register(Inherit.class);

        static native int posix_spawn_file_actions_addinherit_np(long fileActions, int fd);
    }

    /**
     * macOS only; glibc exports fstat only since 2.33 (before, it was a static stub). arm64 macOS has only the
     * 64-bit-inode struct stat (st_mode at offset 4), under the plain name.
     */
    private static final class Mac {
        static {
            Native.register(Mac.class, LIBC);
        }

        static native int fstat(int fd, long statbuf);
    }

    /**
     * x86-64 macOS: plain fstat fills the old 32-bit-inode struct stat (st_mode at offset 8); the 64-bit-inode one
     * (st_mode at offset 4) is the symbol fstat$INODE64 (sys/stat.h, __DARWIN_INODE64), which is what C code
     * compiled for 10.6 and later calls. '$' is legal in a Java name, and direct mapping binds by the method name.
     */
    private static final class MacIntel {
        static {
            Native.register(MacIntel.class, LIBC);
        }

        static native int fstat$INODE64(int fd, long statbuf);
    }

    /**
     * Sockets, for the systemd notification socket only: registered on its first use, in a class of its own, so
     * that nothing else depends on them.
     */
    private static final class Sockets {
        static {
            Native.register(Sockets.class, LIBC);
        }

        static native int socket(int domain, int type, int protocol);

        /** socklen_t addrlen: an unsigned 32-bit int, passed as a Java int. */
        static native long sendto(int fd, long buf, long len, int flags, long destAddr, int addrlen);
    }

    private static final class Optional {
        static boolean register(Class<?> functions) {
            try {
                Native.register(functions, LIBC);
                return true;
            } catch (UnsatisfiedLinkError missing) {
                return false;
            }
        }
    }

    @Override
    public int errno() {
        return Native.getLastError();
    }

    @Override
    public long read(int fd, long buf, long count) {
        return Base.read(fd, buf, count);
    }

    @Override
    public long write(int fd, long buf, long count) {
        return Base.write(fd, buf, count);
    }

    @Override
    public int close(int fd) {
        return Base.close(fd);
    }

    @Override
    public int pipe(long fds) {
        return Base.pipe(fds);
    }

    @Override
    public boolean hasPipe2() {
        return Pipe2.AVAILABLE;
    }

    @Override
    public int pipe2(long fds, int flags) {
        requireAvailable(Pipe2.AVAILABLE, "pipe2");
        return Pipe2.pipe2(fds, flags);
    }

    @Override
    public int fcntl(int fd, int cmd, int arg) {
        return Variadic.C.fcntl(fd, cmd, arg);
    }

    @Override
    public int ioctl(int fd, long request) {
        return Base.ioctl(fd, request);
    }

    @Override
    public int getpid() {
        return Base.getpid();
    }

    @Override
    public int sigaction(int signum, long act, long oldact) {
        return Base.sigaction(signum, act, oldact);
    }

    @Override
    public int sigprocmask(int how, long set, long oldset) {
        return Base.sigprocmask(how, set, oldset);
    }

    @Override
    public int pthread_sigmask(int how, long set, long oldset) {
        requireAvailable(SigMask.AVAILABLE, "pthread_sigmask");
        return SigMask.pthread_sigmask(how, set, oldset);
    }

    @Override
    public long pthread_self() {
        return Base.pthread_self();
    }

    @Override
    public int pthread_kill(long thread, int sig) {
        return Base.pthread_kill(thread, sig);
    }

    @Override
    public byte[] strerror(int errnum) {
        return JnaBackend.cString(Base.strerror(errnum));
    }

    @Override
    public int getrlimit(int resource, long rlim) {
        return Base.getrlimit(resource, rlim);
    }

    @Override
    public int poll(long fds, int nfds, int timeout) {
        return INT_NFDS ? MacPoll.poll(fds, nfds, timeout) : Base.poll(fds, nfds, timeout);
    }

    @Override
    public int waitpid(int pid, long status, int options) {
        return Base.waitpid(pid, status, options);
    }

    @Override
    public int waitid(int idtype, int id, long info, int options) {
        return Base.waitid(idtype, id, info, options);
    }

    @Override
    public int kill(int pid, int sig) {
        return Base.kill(pid, sig);
    }

    @Override
    public int sigemptyset(long set) {
        return Base.sigemptyset(set);
    }

    @Override
    public int posix_spawnp(long pid, long file, long fileActions, long attr, long argv, long envp) {
        return Base.posix_spawnp(pid, file, fileActions, attr, argv, envp);
    }

    @Override
    public int posix_spawn_file_actions_init(long fileActions) {
        return Base.posix_spawn_file_actions_init(fileActions);
    }

    @Override
    public int posix_spawn_file_actions_destroy(long fileActions) {
        return Base.posix_spawn_file_actions_destroy(fileActions);
    }

    @Override
    public int posix_spawn_file_actions_adddup2(long fileActions, int fd, int newfd) {
        return Base.posix_spawn_file_actions_adddup2(fileActions, fd, newfd);
    }

    @Override
    public int posix_spawn_file_actions_addclose(long fileActions, int fd) {
        return Base.posix_spawn_file_actions_addclose(fileActions, fd);
    }

    @Override
    public int posix_spawn_file_actions_addopen(long fileActions, int fd, long path, int oflag, int mode) {
        return Base.posix_spawn_file_actions_addopen(fileActions, fd, path, oflag, mode);
    }

    @Override
    public boolean hasAddchdir() {
        return Chdir.AVAILABLE;
    }

    @Override
    public int posix_spawn_file_actions_addchdir_np(long fileActions, long path) {
        requireAvailable(Chdir.AVAILABLE, "posix_spawn_file_actions_addchdir_np");
        return Chdir.posix_spawn_file_actions_addchdir_np(fileActions, path);
    }

    @Override
    public boolean hasAddclosefrom() {
        return CloseFrom.AVAILABLE;
    }

    @Override
    public int posix_spawn_file_actions_addclosefrom_np(long fileActions, int from) {
        requireAvailable(CloseFrom.AVAILABLE, "posix_spawn_file_actions_addclosefrom_np");
        return CloseFrom.posix_spawn_file_actions_addclosefrom_np(fileActions, from);
    }

    @Override
    public boolean hasAddinherit() {
        return Inherit.AVAILABLE;
    }

    @Override
    public int posix_spawn_file_actions_addinherit_np(long fileActions, int fd) {
        requireAvailable(Inherit.AVAILABLE, "posix_spawn_file_actions_addinherit_np");
        return Inherit.posix_spawn_file_actions_addinherit_np(fileActions, fd);
    }

    @Override
    public int posix_spawnattr_init(long attr) {
        return Base.posix_spawnattr_init(attr);
    }

    @Override
    public int posix_spawnattr_destroy(long attr) {
        return Base.posix_spawnattr_destroy(attr);
    }

    @Override
    public int posix_spawnattr_setflags(long attr, short flags) {
        return Base.posix_spawnattr_setflags(attr, flags);
    }

    @Override
    public int posix_spawnattr_setsigmask(long attr, long sigmask) {
        return Base.posix_spawnattr_setsigmask(attr, sigmask);
    }

    @Override
    public int posix_spawnattr_setsigdefault(long attr, long sigdefault) {
        return Base.posix_spawnattr_setsigdefault(attr, sigdefault);
    }

    @Override
    public long functionAddress(String name) {
        try {
            return Pointer.nativeValue(LIBC.getFunction(name));
        } catch (UnsatisfiedLinkError missing) {
            return 0;
        }
    }

    @Override
    public boolean hasGnuGetLibcVersion() {
        return GlibcVersion.AVAILABLE;
    }

    @Override
    public String gnu_get_libc_version() {
        requireAvailable(GlibcVersion.AVAILABLE, "gnu_get_libc_version");
        return GlibcVersion.gnu_get_libc_version();
    }

    @Override
    public int __libc_current_sigrtmax() {
        return Linux.__libc_current_sigrtmax();
    }

    @Override
    public boolean hasGettid() {
        return false; // syscall(SYS_gettid) is bound with the Linux functions already; no registration more
    }

    @Override
    public int gettid() {
        throw new UnsupportedOperationException("gettid is called through syscall on JNA");
    }

    @Override
    public long syscall(long number, long arg1, long arg2, long arg3, long arg4, long arg5) {
        return Linux.syscall(number, arg1, arg2, arg3, arg4, arg5);
    }

    @Override
    public int eventfd(int initval, int flags) {
        return Linux.eventfd(initval, flags);
    }

    @Override
    public int fstat(int fd, long statbuf) {
        return INODE64_FSTAT ? MacIntel.fstat$INODE64(fd, statbuf) : Mac.fstat(fd, statbuf);
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        return Sockets.socket(domain, type, protocol);
    }

    @Override
    public long sendto(int fd, long buf, long len, int flags, long destAddr, int addrlen) {
        return Sockets.sendto(fd, buf, len, flags, destAddr, addrlen);
    }

    private static void requireAvailable(boolean available, String function) {
        if (!available) {
            throw new UnsupportedOperationException(function + " is not in this C library");
        }
    }
}
