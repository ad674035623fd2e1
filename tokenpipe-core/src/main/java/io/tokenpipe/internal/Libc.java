package io.tokenpipe.internal;

/**
 * The C library of Linux and macOS as the platform code sees it: one method per C function, named and ordered
 * as in C, with only primitive arguments (pointers are addresses, see {@link NativeBuffer}) so that no call
 * allocates. Each {@link Backend} implements it once (JNA direct mapping, or java.lang.foreign); the platform
 * code above it ({@code posix.PosixIo}, {@code spawn.*}) is written once for both.
 *
 * <p>errno: functions that fail with -1 leave the error in {@link #errno()}, which must be read on the same
 * thread right after the call (each backend saves it as the call returns, before the JVM can clobber it). The
 * posix_spawn family returns its error number instead, as in C.
 *
 * <p>Optional functions (missing from older or other C libraries) have a {@code has...} method; calling one that
 * is missing throws {@link UnsupportedOperationException}.
 *
 * <p>Variadic C functions ({@code fcntl}, {@code ioctl}, {@code syscall}); on Apple arm64 variadic arguments go on
 * the stack, so a fixed-argument binding of a variadic argument would pass it in the wrong place there:
 * <ul>
 * <li>FFM (Java 22+, Linux and macOS): all three are bound as variadic ({@code Linker.Option.firstVariadicArg}).
 * <li>JNA (Java 17-21): direct mapping has no varargs, so {@code fcntl} alone goes through a JNA interface proxy
 * with Java varargs, for which JNA gives libffi the number of fixed arguments ({@code ffi_prep_cif_var}), on
 * Linux and macOS alike. {@code ioctl} keeps its direct mapping: it is called with no variadic argument, which
 * is right on every ABI. {@code syscall} keeps its direct mapping too, as a fixed six-argument function: it is
 * called only on Linux x86-64 and aarch64, whose ABIs (System V AMD64, AAPCS64) pass variadic integer arguments
 * exactly as fixed ones.
 * </ul>
 * Windows does not use this interface ({@link Msvcrt}).
 */
public interface Libc {

    /** errno as the calling thread's last failed call through this interface left it. */
    int errno();

    long read(int fd, long buf, long count);

    long write(int fd, long buf, long count);

    /** Allocates nothing, and leaves no errno to read (a failed close released the descriptor on Linux anyway). */
    int close(int fd);

    int pipe(long fds);

    /** Whether {@link #pipe2} exists (Linux, the BSDs; not macOS). */
    boolean hasPipe2();

    int pipe2(long fds, int flags);

    /**
     * {@code fcntl(fd, cmd, arg)} with an int argument, bound as the variadic function it is by both backends
     * (JNA: an interface proxy with Java varargs): on Apple arm64 a variadic argument goes on the stack, where a
     * fixed-argument binding would put it in a register.
     */
    int fcntl(int fd, int cmd, int arg);

    /**
     * {@code ioctl(fd, request)} with no third argument (FIOCLEX, FIONCLEX): with the variadic part empty, a
     * fixed-argument binding (JNA's direct mapping) is right on every ABI; FFM binds it as variadic all the same.
     */
    int ioctl(int fd, long request);

    int getpid();

    int sigaction(int signum, long act, long oldact);

    /**
     * {@code sigprocmask(how, set, oldset)}: -1 and errno on failure. Linux only here, where it changes the calling
     * thread's mask, as pthread_sigmask does (glibc and musl make both the same rt_sigprocmask call), and is in libc
     * in every glibc version.
     */
    int sigprocmask(int how, long set, long oldset);

    /** {@code pthread_sigmask(how, set, oldset)}; returns an error number (0 on success), not -1. */
    int pthread_sigmask(int how, long set, long oldset);

    long pthread_self();

    int pthread_kill(long thread, int sig);

    /** strerror's text as bytes, without the NUL (null for NULL); decoded by {@link NativeText}. */
    byte[] strerror(int errnum);

    int getrlimit(int resource, long rlim);

    /** {@code nfds} is passed as the platform's nfds_t (unsigned long on Linux, unsigned int on macOS). */
    int poll(long fds, int nfds, int timeout);

    int waitpid(int pid, long status, int options);

    int waitid(int idtype, int id, long info, int options);

    int kill(int pid, int sig);

    int sigemptyset(long set);

    int posix_spawnp(long pid, long file, long fileActions, long attr, long argv, long envp);

    int posix_spawn_file_actions_init(long fileActions);

    int posix_spawn_file_actions_destroy(long fileActions);

    int posix_spawn_file_actions_adddup2(long fileActions, int fd, int newfd);

    int posix_spawn_file_actions_addclose(long fileActions, int fd);

    int posix_spawn_file_actions_addopen(long fileActions, int fd, long path, int oflag, int mode);

    /** Whether {@link #posix_spawn_file_actions_addchdir_np} exists (glibc 2.29+, macOS 10.15+). */
    boolean hasAddchdir();

    int posix_spawn_file_actions_addchdir_np(long fileActions, long path);

    /** Whether {@link #posix_spawn_file_actions_addclosefrom_np} exists (glibc 2.34+). */
    boolean hasAddclosefrom();

    int posix_spawn_file_actions_addclosefrom_np(long fileActions, int from);

    /** Whether {@link #posix_spawn_file_actions_addinherit_np} exists (macOS only). */
    boolean hasAddinherit();

    int posix_spawn_file_actions_addinherit_np(long fileActions, int fd);

    int posix_spawnattr_init(long attr);

    int posix_spawnattr_destroy(long attr);

    int posix_spawnattr_setflags(long attr, short flags);

    int posix_spawnattr_setsigmask(long attr, long sigmask);

    int posix_spawnattr_setsigdefault(long attr, long sigdefault);

    /** The address of a function of the C library (for a signal handler that does nothing), or 0. */
    long functionAddress(String name);

    /** Whether {@link #gnu_get_libc_version} exists (glibc; not musl, not macOS). */
    boolean hasGnuGetLibcVersion();

    /** glibc's version, "2.36". */
    String gnu_get_libc_version();

    // Linux only

    int __libc_current_sigrtmax();

    /**
     * Whether {@link #gettid} can be called: its wrapper is in glibc 2.30+ and musl 1.2.2+. Without it, the thread id
     * comes from {@code syscall(SYS_gettid)}; FFM says yes where the C library has it, because gettid's shape,
     * {@code int (void)}, is one the first {@code make()} binds anyway (getpid), and the variadic syscall shape costs a
     * fresh JVM several milliseconds more; JNA says no, as its syscall binding is already there.
     */
    boolean hasGettid();

    /** pid_t gettid(void): the calling thread's kernel id. */
    int gettid();

    /**
     * {@code syscall(number, ...)} with up to five integer arguments; Linux x86-64 and aarch64 only. FFM binds it as
     * variadic after the number; JNA binds it by direct mapping as a fixed six-argument function, which those two
     * ABIs pass exactly as the variadic call.
     */
    long syscall(long number, long arg1, long arg2, long arg3, long arg4, long arg5);

    int eventfd(int initval, int flags);

    // macOS only

    /** fstat with the 64-bit-inode struct stat ({@code fstat$INODE64} on x86-64 macOS, plain fstat on arm64). */
    int fstat(int fd, long statbuf);

    // Sockets: only the systemd notification socket (posix.UnixDatagram) uses them

    /** {@code socket(domain, type, protocol)}: a descriptor, or -1. */
    int socket(int domain, int type, int protocol);

    /**
     * {@code sendto(fd, buf, len, flags, dest_addr, addrlen)}: the bytes sent, or -1. {@code addrlen} is a
     * socklen_t (an unsigned 32-bit int on Linux and macOS).
     */
    long sendto(int fd, long buf, long len, int flags, long destAddr, int addrlen);
}
