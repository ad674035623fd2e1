package io.tokenpipe.internal.spawn;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.Libc;
import io.tokenpipe.internal.NativeBuffer;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.Os;
import io.tokenpipe.internal.posix.PosixIo;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Starts one child process with posix_spawnp and hands it chosen descriptors at chosen numbers, and no other
 * descriptor above 2. Not API: {@code io.tokenpipe.ChildProcess} is the public face; this class knows the
 * C side (file actions, attributes, their order and their error numbers).
 *
 * <p>What the child gets, in the order the file actions run in the child:
 * <ol>
 *   <li>fd 0 opened read-only on the input file, fd 1 and 2 on the redirect files (without O_CLOEXEC, so the
 *       program keeps them), or inherited;</li>
 *   <li>each passed descriptor dup2'ed to its number. Before the spawn every passed descriptor is copied, in
 *       this process, to a number that is no target (fcntl F_DUPFD_CLOEXEC; a copy that lands on a target is kept
 *       aside and another one made), and the copies are the dup2 sources: so no dup2 can overwrite a source
 *       another dup2 still needs (passing 3 at 4 and 4 at 3), and no dup2 is ever dup2(fd, fd), which would leave
 *       close-on-exec set (and so close the end at exec) on C libraries that predate Austin Group issue 411. Any
 *       target below the open-file limit works, the highest one (limit - 1) too;</li>
 *   <li>every other descriptor above 2 closed: close_range through posix_spawn_file_actions_addclosefrom_np
 *       (glibc 2.34+), or, without it, an addclose for every descriptor /proc/self/fd lists. The JVM holds
 *       descriptors that are not close-on-exec (jars, whatever it inherited), so relying on O_CLOEXEC is not
 *       enough. On macOS POSIX_SPAWN_CLOEXEC_DEFAULT does this job (untested);</li>
 *   <li>the working directory changed (posix_spawn_file_actions_addchdir_np).</li>
 * </ol>
 * The child also starts with an empty signal mask and every signal at its default action
 * (POSIX_SPAWN_SETSIGMASK, POSIX_SPAWN_SETSIGDEF): JVM threads block and handle signals, and a child must not
 * inherit that; and in a new session when detached (POSIX_SPAWN_SETSID, glibc 2.26+).
 *
 * <p>Every descriptor this class opens (the copies) is closed before {@link #spawn()} returns or throws. The
 * passed descriptors themselves are the caller's: it closes its copies after the spawn.
 */
public final class ProcessLauncher {
    private static final boolean MAC = Os.MAC;
    private static final int F_DUPFD_CLOEXEC = MAC ? 67 : 1030;
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = MAC ? 0x200 : 0x40;
    private static final int O_TRUNC = MAC ? 0x400 : 0x200;
    private static final int NEW_FILE_MODE = 0666; // before the umask, as for any file a program creates
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = (short) (MAC ? 0x400 : 0x80);
    private static final short POSIX_SPAWN_CLOEXEC_DEFAULT = 0x4000; // macOS only
    /** glibc: posix_spawn_file_actions_t 80 bytes, posix_spawnattr_t 336; macOS: one pointer each. */
    private static final int SPAWN_STRUCT_SIZE = 1024;
    /** glibc's sigset_t is 128 bytes, macOS's 4. */
    private static final int SIGSET_SIZE = 128;
    private static final int EACCES = 13;
    private static final int EINVAL = 22;

    private final Libc libc = ((PosixIo) NativeIo.get()).libc();
    private final List<String> command;
    private List<byte[]> environment = List.of();
    private Path directory;
    private Path stdin;
    private Path stdout;
    private Path stderr;
    private boolean detached;
    private int[] fds = new int[0];
    private int[] childFds = new int[0];
    private boolean closeFromFallback;

    /** @param command the program (looked up in this process's PATH when it has no slash) and its arguments */
    public ProcessLauncher(List<String> command) {
        this.command = List.copyOf(command);
    }

    /** The child's whole environment, as "NAME=value" entries: this process's with {@code changes} on top. */
    public ProcessLauncher environment(java.util.Map<String, String> changes) {
        this.environment = ChildStrings.environment(changes);
        return this;
    }

    /** An absolute directory for the child, or null to inherit this process's. */
    public ProcessLauncher directory(Path absoluteDirectory) {
        this.directory = absoluteDirectory;
        return this;
    }

    /** An absolute file for the child's fd 0 (opened read-only; it must exist), null to inherit. */
    public ProcessLauncher input(Path absoluteStdin) {
        this.stdin = absoluteStdin;
        return this;
    }

    /** Absolute files for the child's fd 1 and 2 (created or truncated), null to inherit; one file may serve both. */
    public ProcessLauncher redirects(Path absoluteStdout, Path absoluteStderr) {
        this.stdout = absoluteStdout;
        this.stderr = absoluteStderr;
        return this;
    }

    /** Whether the child starts a new session (setsid). */
    public ProcessLauncher detached(boolean detached) {
        this.detached = detached;
        return this;
    }

    /** Hands {@code fds[i]} to the child at {@code childFds[i]} (3 or above, distinct). */
    public ProcessLauncher pass(int[] fds, int[] childFds) {
        if (fds.length != childFds.length) {
            throw new IllegalArgumentException(fds.length + " descriptors for " + childFds.length + " child numbers");
        }
        this.fds = fds.clone();
        this.childFds = childFds.clone();
        return this;
    }

    /** Tests only: close the child's other descriptors from a /proc/self/fd listing even where closefrom exists. */
    public ProcessLauncher closeFromFallback(boolean closeFromFallback) {
        this.closeFromFallback = closeFromFallback;
        return this;
    }

    /**
     * Starts the child.
     *
     * @return its pid; the caller must reap it (see {@link ChildWatch})
     * @throws IOException naming the program and the error (ENOENT: no such program; EACCES: not executable or
     *         a directory; E2BIG; EMFILE ...); no child exists then and no descriptor was left open
     */
    public int spawn() throws IOException {
        if (directory != null && !Files.isDirectory(directory)) {
            throw new IOException("Cannot run program \"" + command.get(0) + "\": its directory " + directory
                    + " does not exist or is not a directory");
        }
        if (OldGlibc.checksProgram()) {
            checkProgram();
        }
        int maxChildFd = 2;
        for (int childFd : childFds) {
            maxChildFd = Math.max(maxChildFd, childFd);
        }
        int[] moved = new int[fds.length];
        Arrays.fill(moved, -1);
        List<NativeBuffer> strings = new ArrayList<>();
        try (NativeBuffer argv = stringArray(encode(command, ChildStrings.PROCESS), strings);
             NativeBuffer envp = stringArray(environment, strings);
             NativeBuffer fileActions = NativeBuffer.allocate(SPAWN_STRUCT_SIZE);
             NativeBuffer attributes = NativeBuffer.allocate(SPAWN_STRUCT_SIZE);
             NativeBuffer sigsets = NativeBuffer.allocate(2 * SIGSET_SIZE);
             NativeBuffer pid = NativeBuffer.allocate(8)) {
            copySources(moved);
            long attr = attributes.address();
            check(libc.posix_spawnattr_init(attr), "posix_spawnattr_init");
            try {
                setAttributes(attr, sigsets);
                long actions = fileActions.address();
                check(libc.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
                try {
                    addFileActions(actions, moved, maxChildFd, strings);
                    int error = libc.posix_spawnp(pid.address(), argv.getLong(0), actions, attr, argv.address(),
                            envp.address());
                    if (error != 0) {
                        throw spawnFailure(error);
                    }
                    return pid.getInt(0);
                } finally {
                    libc.posix_spawn_file_actions_destroy(actions);
                }
            } finally {
                libc.posix_spawnattr_destroy(attr);
            }
        } finally {
            // The copies were only the dup2 sources; the child has its own descriptors now (or none at all).
            for (int fd : moved) {
                if (fd != -1) {
                    libc.close(fd);
                }
            }
            strings.forEach(NativeBuffer::close); // after every call that read them
        }
    }

    /**
     * Copies every passed descriptor to a number that is no target, into {@code moved} (close-on-exec, so no other
     * child inherits them). F_DUPFD_CLOEXEC gives the lowest free number from 3 on; one that is a target is held
     * until all copies are made (so the next copy lands elsewhere), then closed. The copies stay below the limit
     * whatever the targets are, so the highest target allowed (the limit - 1) works too.
     */
    private void copySources(int[] moved) throws IOException {
        // Allocated before the first copy, and no boxing after it: an OutOfMemoryError between a copy and its record
        // would leak the copy. Each target is held at most once (the next copy lands elsewhere).
        int[] heldOnTargets = new int[childFds.length];
        int held = 0;
        try {
            for (int i = 0; i < fds.length; i++) {
                while (moved[i] == -1) {
                    int copy = libc.fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
                    if (copy == -1) {
                        throw failure("cannot hand fd " + fds[i] + " over at " + childFds[i]
                                + ": no copy could be made (fcntl F_DUPFD_CLOEXEC)", libc.errno());
                    }
                    if (isTarget(copy)) {
                        heldOnTargets[held++] = copy;
                    } else {
                        moved[i] = copy;
                    }
                }
            }
        } finally {
            for (int i = 0; i < held; i++) {
                libc.close(heldOnTargets[i]);
            }
        }
    }

    private boolean isTarget(int fd) {
        for (int childFd : childFds) {
            if (childFd == fd) {
                return true;
            }
        }
        return false;
    }

    private static List<byte[]> encode(List<String> words, Charset charset) {
        List<byte[]> bytes = new ArrayList<>(words.size());
        for (String word : words) {
            bytes.add(word.getBytes(charset));
        }
        return bytes;
    }

    /** A NULL-terminated array of C strings; the strings are added to {@code strings}, which keeps them alive. */
    private static NativeBuffer stringArray(List<byte[]> words, List<NativeBuffer> strings) {
        NativeBuffer array = NativeBuffer.allocate(8 * (words.size() + 1));
        for (int i = 0; i < words.size(); i++) {
            NativeBuffer string = NativeBuffer.cString(words.get(i));
            strings.add(string);
            array.putLong(8 * i, string.address());
        }
        return array;
    }

    /**
     * glibc before 2.24 runs posix_spawn's exec in a child that reports a failed exec only as exit status 127,
     * while posix_spawnp returns 0: look the program up first, as posix_spawnp would, so that a missing or
     * unexecutable program is still the IOException the caller was promised.
     */
    private void checkProgram() throws IOException {
        String program = command.get(0);
        if (program.contains("/")) {
            Path path = Path.of(program);
            if (!path.isAbsolute() && directory != null) {
                path = directory.resolve(path);
            }
            if (!Files.exists(path)) {
                throw spawnFailure(Errno.ENOENT);
            }
            if (Files.isDirectory(path) || !Files.isExecutable(path)) {
                throw spawnFailure(EACCES);
            }
            return;
        }
        String searchPath = System.getenv("PATH");
        boolean seen = false;
        for (String dir : (searchPath == null ? "/bin:/usr/bin" : searchPath).split(":", -1)) {
            Path candidate = (dir.isEmpty() ? Path.of("") : Path.of(dir)).resolve(program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return;
            }
            seen |= Files.exists(candidate);
        }
        throw spawnFailure(seen ? EACCES : Errno.ENOENT);
    }
    private void setAttributes(long attr, NativeBuffer sigsets) throws IOException {
        long emptyMask = sigsets.address();
        long allSignals = emptyMask + SIGSET_SIZE;
        if (libc.sigemptyset(emptyMask) != 0) {
            throw failure("sigemptyset", libc.errno());
        }
        // Every bit set, not sigfillset: glibc's sigfillset leaves out its internal signals 32 and 33, and
        // posix_spawn then sets those to SIG_IGN in the child, which keeps them ignored across exec. SIG_DFL is
        // safe for them: until exec the child blocks every signal and nobody targets it with them.
        sigsets.fill(SIGSET_SIZE, SIGSET_SIZE, (byte) 0xFF);
        int flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
        if (detached) {
            flags |= POSIX_SPAWN_SETSID;
        }
        if (MAC) {
            flags |= POSIX_SPAWN_CLOEXEC_DEFAULT;
        }
        int error = libc.posix_spawnattr_setflags(attr, (short) flags);
        if (error == EINVAL && detached) {
            throw failure("detached(true) needs POSIX_SPAWN_SETSID (glibc 2.26 or later, macOS 10.15 or later);"
                    + " posix_spawnattr_setflags", error);
        }
        check(error, "posix_spawnattr_setflags");
        check(libc.posix_spawnattr_setsigmask(attr, emptyMask), "posix_spawnattr_setsigmask");
        check(libc.posix_spawnattr_setsigdefault(attr, allSignals), "posix_spawnattr_setsigdefault");
    }

    private void addFileActions(long actions, int[] moved, int maxChildFd, List<NativeBuffer> strings)
            throws IOException {
        // 1. Standard streams. The opens run before the dup2s below, so the temporary descriptor glibc opens
        //    the file at (then dup2s to 1 or 2 and closes) can never be one of the targets.
        if (stdin != null) { // no O_CLOEXEC either, for the same reason
            check(libc.posix_spawn_file_actions_addopen(actions, 0, cString(stdin, strings), O_RDONLY,
                    0), "posix_spawn_file_actions_addopen(0, " + stdin + ")");
        }
        int flags = O_WRONLY | O_CREAT | O_TRUNC; // no O_CLOEXEC: the program must keep its stdout/stderr
        if (stdout != null) {
            check(libc.posix_spawn_file_actions_addopen(actions, 1, cString(stdout, strings), flags,
                    NEW_FILE_MODE), "posix_spawn_file_actions_addopen(1, " + stdout + ")");
        }
        if (stderr != null && stderr.equals(stdout)) {
            // one open file description for both, so that their writes do not overwrite each other
            check(libc.posix_spawn_file_actions_adddup2(actions, 1, 2), "posix_spawn_file_actions_adddup2(1, 2)");
        } else if (stderr != null) {
            check(libc.posix_spawn_file_actions_addopen(actions, 2, cString(stderr, strings), flags,
                    NEW_FILE_MODE), "posix_spawn_file_actions_addopen(2, " + stderr + ")");
        }
        if (MAC) {
            inheritStandardStreams(actions);
        }
        // 2. The passed descriptors: every source is a copy at a number that is no target (copySources).
        for (int i = 0; i < moved.length; i++) {
            check(libc.posix_spawn_file_actions_adddup2(actions, moved[i], childFds[i]),
                    "posix_spawn_file_actions_adddup2(" + moved[i] + ", " + childFds[i] + ")");
        }
        // 3. Everything else above 2, after the dup2s (which still need the copies).
        if (!MAC) {
            closeOthers(actions, maxChildFd);
        }
        // 4. Last, so that the redirect paths and the descriptors above do not depend on it.
        if (directory != null) {
            if (!libc.hasAddchdir()) {
                throw new UnsupportedOperationException("directory(" + directory + ") needs"
                        + " posix_spawn_file_actions_addchdir_np (glibc 2.29 or later, macOS 10.15 or later), which"
                        + " this C library does not have");
            }
            // the directory as ProcessBuilder passes it: through ProcessImpl's toCString, in the process charset
            check(libc.posix_spawn_file_actions_addchdir_np(actions, cString(directory, ChildStrings.PROCESS, strings)),
                    "posix_spawn_file_actions_addchdir_np(" + directory + ")");
        }
    }

    /** macOS: POSIX_SPAWN_CLOEXEC_DEFAULT would close 0-2 too unless a file action names them. Untested. */
    private void inheritStandardStreams(long actions) throws IOException {
        if (!libc.hasAddinherit()) {
            throw new UnsupportedOperationException("posix_spawn_file_actions_addinherit_np is missing");
        }
        for (int fd = 0; fd <= 2; fd++) {
            boolean redirected = (fd == 0 && stdin != null) || (fd == 1 && stdout != null)
                    || (fd == 2 && stderr != null);
            if (!redirected) {
                check(libc.posix_spawn_file_actions_addinherit_np(actions, fd),
                        "posix_spawn_file_actions_addinherit_np(" + fd + ")");
            }
        }
    }

    /** Adds the actions that close, in the child, every descriptor above 2 that is not a target. */
    private void closeOthers(long actions, int maxChildFd) throws IOException {
        TreeSet<Integer> targets = new TreeSet<>();
        for (int childFd : childFds) {
            targets.add(childFd);
        }
        // Gaps between the targets (pass at 3 and 5: close 4). Closing a descriptor that is not open is not an
        // error in the child (glibc fails a close action only for a number out of range).
        for (int fd = 3; fd < maxChildFd; fd++) {
            if (!targets.contains(fd)) {
                addClose(actions, fd);
            }
        }
        long limit = NativeIo.get().openFileLimit();
        boolean roomAbove = limit < 0 || maxChildFd + 1 < limit; // glibc refuses a closefrom at or above the limit
        if (libc.hasAddclosefrom() && !closeFromFallback && roomAbove) {
            check(libc.posix_spawn_file_actions_addclosefrom_np(actions, maxChildFd + 1),
                    "posix_spawn_file_actions_addclosefrom_np(" + (maxChildFd + 1) + ")");
            return;
        }
        // Fallback (glibc before 2.34, musl): close what is open now. It cannot cover a descriptor another
        // thread opens without O_CLOEXEC after this listing and before the child execs: that one is inherited.
        // (Descriptors the JDK and this library open are close-on-exec; the gap is for native code that is
        // not careful.) Listed descriptors that get closed meanwhile are harmless: see above.
        for (int fd : openDescriptors()) {
            if (fd > maxChildFd) {
                addClose(actions, fd);
            }
        }
    }

    private void addClose(long actions, int fd) throws IOException {
        check(libc.posix_spawn_file_actions_addclose(actions, fd), "posix_spawn_file_actions_addclose(" + fd + ")");
    }

    /** Every descriptor this process has open now, from /proc/self/fd (including the listing's own). */
    private static List<Integer> openDescriptors() throws IOException {
        List<Integer> open = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            entries.forEach(entry -> open.add(Integer.parseInt(entry.getFileName().toString())));
        } catch (IOException e) {
            throw new IOException("cannot list /proc/self/fd to close the child's other descriptors, and this C"
                    + " library has no posix_spawn_file_actions_addclosefrom_np (glibc 2.34+): " + e, e);
        }
        return open;
    }

    /** A redirect file's name, as java.io encodes it (ProcessBuilder opens redirect files in Java). */
    private static long cString(Path path, List<NativeBuffer> strings) {
        return cString(path, ChildStrings.FILE_NAMES, strings);
    }

    private static long cString(Path path, Charset charset, List<NativeBuffer> strings) {
        NativeBuffer string = NativeBuffer.cString(path.toString().getBytes(charset));
        strings.add(string);
        return string.address();
    }

    private IOException spawnFailure(int error) {
        StringBuilder message = new StringBuilder("Cannot run program \"").append(command.get(0)).append('"');
        List<String> context = new ArrayList<>();
        if (directory != null) {
            context.add("in directory " + directory);
        }
        if (stdin != null) {
            context.add("input from " + stdin);
        }
        if (stdout != null) {
            context.add("output to " + stdout);
        }
        if (stderr != null) {
            context.add("errors to " + stderr);
        }
        if (!context.isEmpty()) {
            message.append(" (").append(String.join(", ", context)).append(')');
        }
        message.append(": ").append(Errno.describe(error));
        if (error == EACCES && command.get(0).contains("/") && Files.isDirectory(Path.of(command.get(0)))) {
            message.append("; it is a directory");
        }
        return new IOException(message.toString());
    }

    private static void check(int error, String call) throws IOException {
        if (error != 0) {
            throw failure(call, error);
        }
    }

    private static IOException failure(String what, int error) {
        return new IOException(what + " failed: " + Errno.describe(error));
    }
}
