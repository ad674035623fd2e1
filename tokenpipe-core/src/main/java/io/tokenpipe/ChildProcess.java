package io.tokenpipe;

import io.tokenpipe.internal.FdHandle;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.Os;
import io.tokenpipe.internal.spawn.ChildWatch;
import io.tokenpipe.internal.spawn.ProcessLauncher;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A child process that was handed token pipe ends at chosen descriptor numbers, the way bitcoind
 * {@code -daemonwait} and s6's {@code notification-fd} hand a readiness pipe to a background process.
 * {@link ProcessBuilder} cannot do this: it closes every descriptor above 2 in the child.
 *
 * <pre>{@code
 * try (TokenPipe pipe = TokenPipe.make().orElseThrow();
 *      TokenPipeEnd ready = pipe.takeReadEnd();
 *      ChildProcess child = ChildProcess.builder("my-daemon")
 *              .passEnd(pipe.takeWriteEnd(), 3)          // the parent's copy is closed by start()
 *              .environment("TOKENPIPE_FD", "3")
 *              .start()) {
 *     int token = ready.tokenRead(Duration.ofSeconds(30)); // 1: ready; 0 or TS_EOS: it failed
 * }
 * }</pre>
 *
 * <p>The child gets descriptors 0-2 (inherited or redirected to files), the passed ends at their numbers in
 * blocking mode, and nothing else: every other descriptor of this JVM is closed in the child, whether or not it
 * is close-on-exec. It starts with no blocked signals and every signal at its default action.
 *
 * <p>Every child is reaped as soon as it exits, whether or not anyone calls {@link #waitFor()} or
 * {@link #close()}: no zombie is left while this JVM lives. Signals are never sent to a child that was
 * already reaped, so they can never reach an unrelated process that reused its pid.
 *
 * <p>Thread safety: every method may be called from any thread. Linux is tested; macOS is written and untested;
 * on Windows {@link Builder#start()} throws {@link UnsupportedOperationException}.
 */
public final class ChildProcess implements AutoCloseable {
    private static final int SIGTERM = 15;
    private static final int SIGKILL = 9;
    /** How long {@link #close()} lets a child handle SIGTERM before it sends SIGKILL. */
    private static final long CLOSE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long {@link #close()} then waits for the kill to take effect (the reaper reaps it later if it must). */
    private static final long CLOSE_KILL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ChildWatch watch;
    private final boolean detached;
    private final String program;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ChildProcess(ChildWatch watch, boolean detached, String program) {
        this.watch = watch;
        this.detached = detached;
        this.program = program;
    }

    /**
     * A builder for {@code command}: the program (looked up in this JVM's {@code PATH} when it contains no
     * slash) followed by its arguments.
     *
     * @throws NullPointerException if {@code command} or one of its words is null
     * @throws IllegalArgumentException if {@code command} is empty or a word contains a NUL character
     */
    public static Builder builder(String... command) {
        return builder(Arrays.asList(Objects.requireNonNull(command, "command")));
    }

    /** As {@link #builder(String...)}. */
    public static Builder builder(List<String> command) {
        return new Builder(command);
    }

    /** The child's process id. */
    public long pid() {
        return watch.pid();
    }

    /** True until the child has exited and been reaped (for a moment after it exits, still true). */
    public boolean isAlive() {
        return watch.exitCode() == ChildWatch.RUNNING;
    }

    /**
     * Waits until the child has exited.
     *
     * @return its exit status 0-255, or 128+N when signal N killed it (143 for SIGTERM, 137 for SIGKILL); -1 in
     *         the one case where the status was lost because something else in this JVM reaped the child
     *         (SIGCHLD set to SIG_IGN, or a {@code waitpid(-1)} in native code)
     * @throws InterruptedException if the thread is interrupted while it waits (the child is left as it is)
     */
    public int waitFor() throws InterruptedException {
        return watch.awaitExit();
    }

    /**
     * Waits at most {@code timeout} for the child to exit.
     *
     * @return true if it has exited (then {@link #exitValue()} has the code), false if it still runs
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws InterruptedException if the thread is interrupted while it waits
     */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout " + timeout + " is negative: use Duration.ZERO or more");
        }
        long nanos = timeout.compareTo(Duration.ofDays(365L * 100)) > 0 ? Long.MAX_VALUE / 4 : timeout.toNanos();
        return watch.awaitExit(nanos);
    }

    /** The exit code as {@link #waitFor()} returns it, or empty while the child runs. */
    public OptionalInt exitValue() {
        int code = watch.exitCode();
        return code == ChildWatch.RUNNING ? OptionalInt.empty() : OptionalInt.of(code);
    }

    /** Sends SIGTERM; does nothing once the child has exited. Does not wait. */
    public void destroy() {
        watch.signal(SIGTERM);
    }

    /** Sends SIGKILL; does nothing once the child has exited. Does not wait. */
    public void destroyForcibly() {
        watch.signal(SIGKILL);
    }

    /**
     * Ends this handle. A child that is not detached and still runs is stopped: SIGTERM, then SIGKILL if it has
     * not exited within 1 second; close returns once it has been reaped (or after 10 more seconds if even
     * SIGKILL does not end it, e.g. a process stuck in the kernel: it is reaped when it does exit). A detached
     * child is left running and is reaped when it exits. Idempotent; an interrupt does not cut the wait short
     * but stays set. To give a child more time to stop, call {@link #destroy()} and {@link #waitFor(Duration)}
     * first.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) || detached || !isAlive()) {
            return;
        }
        watch.signal(SIGTERM);
        if (!watch.awaitExitUninterruptibly(CLOSE_GRACE_NANOS)) {
            watch.signal(SIGKILL);
            watch.awaitExitUninterruptibly(CLOSE_KILL_WAIT_NANOS);
        }
    }

    /** "ChildProcess[pid=1234, sh, running]", "... exit 0]", with ", detached" for a detached child. */
    @Override
    public String toString() {
        int code = watch.exitCode();
        return "ChildProcess[pid=" + watch.pid() + ", " + program + (detached ? ", detached" : "")
                + (code == ChildWatch.RUNNING ? ", running" : ", exit " + code) + "]";
    }

    /**
     * Describes one child process to start. Not thread-safe; a builder starts one process (a second
     * {@link #start()} throws {@link IllegalStateException}, since the passed ends were handed over).
     */
    public static final class Builder {
        private final List<String> command;
        private final List<TokenPipeEnd> ends = new ArrayList<>();
        private final List<Integer> childFds = new ArrayList<>();
        /** Variables to set, in order; a null value leaves the variable out. */
        private final Map<String, String> environment = new LinkedHashMap<>();
        private Path directory;
        private Path stdin;
        private Path stdout;
        private Path stderr;
        private boolean detached;
        private boolean started;

        private Builder(List<String> command) {
            Objects.requireNonNull(command, "command");
            if (command.isEmpty()) {
                throw new IllegalArgumentException("command is empty: it needs at least the program to run");
            }
            for (String word : command) {
                requireNoNul(Objects.requireNonNull(word, "a word of the command is null"), "command word");
            }
            this.command = List.copyOf(command);
        }

        /**
         * Hands {@code end} to the child at descriptor {@code childFd}, in blocking mode (its O_NONBLOCK flag,
         * shared with the child, is never changed). {@link #start()} closes this JVM's copy of the end once the
         * child is spawned, and also when the start fails: after {@code passEnd} the end belongs to the builder.
         *
         * @param end an open end; tell the child the number, e.g. {@code environment("TOKENPIPE_FD", "3")}
         * @param childFd 3 or above (0-2 are the child's standard streams: see {@link #redirectOutput}), below the
         *        open-file limit, and not used by another passed end
         * @return this builder
         * @throws IllegalArgumentException if the end is closed, was already passed, {@code childFd} is below 3,
         *         at or above the open-file limit, or already taken; the end is left open then
         * @throws NullPointerException if {@code end} is null
         */
        public Builder passEnd(TokenPipeEnd end, int childFd) {
            Objects.requireNonNull(end, "end");
            if (childFd < 3) {
                throw new IllegalArgumentException("childFd " + childFd + " is below 3: descriptors 0-2 are the child's"
                        + " standard streams (use redirectOutput/redirectError for them)");
            }
            NativeIo io = NativeIo.get();
            long limit = io == null ? -1 : io.openFileLimit();
            if (limit >= 0 && childFd >= limit) {
                throw new IllegalArgumentException("childFd " + childFd + " is not below the open-file limit "
                        + limit + " (ulimit -n)");
            }
            for (TokenPipeEnd passed : ends) {
                if (passed == end) {
                    throw new IllegalArgumentException("end " + end + " is already passed at childFd "
                            + childFds.get(ends.indexOf(end)) + "; an end can be passed once");
                }
            }
            if (childFds.contains(childFd)) {
                throw new IllegalArgumentException("childFd " + childFd + " is already taken by another passed end");
            }
            if (!end.isOpen()) {
                throw new IllegalArgumentException("end " + end + " is closed: only an open end can be passed");
            }
            ends.add(end);
            childFds.add(childFd);
            return this;
        }

        /**
         * Sets {@code name=value} in the child's environment, which is otherwise this JVM's: the same bytes
         * {@link ProcessBuilder} passes, including values that are not valid in the platform charset. Names and
         * values set here are encoded as ProcessBuilder encodes them ({@code sun.jnu.encoding} on Java 18 and later,
         * the default charset on Java 17). The program itself is still looked up in this JVM's {@code PATH}.
         *
         * @throws IllegalArgumentException if {@code name} is empty or contains '=' or NUL, or {@code value}
         *         contains NUL
         * @throws NullPointerException if either is null
         */
        public Builder environment(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            requireVariableName(name);
            requireNoNul(value, "value of environment variable " + name);
            environment.put(name, value);
            return this;
        }

        /**
         * Leaves {@code name} out of the child's environment, which is otherwise this JVM's: for a variable meant
         * for this process only (a switch the child, and every process it starts, must not see). A later
         * {@link #environment(String, String)} of the same name sets it again, and the other way round.
         *
         * @throws IllegalArgumentException if {@code name} is empty or contains '=' or NUL
         * @throws NullPointerException if {@code name} is null
         */
        public Builder removeEnvironment(String name) {
            Objects.requireNonNull(name, "name");
            requireVariableName(name);
            environment.put(name, null);
            return this;
        }

        /**
         * The child's working directory (a relative path is taken relative to this JVM's), or null to inherit
         * this JVM's. A program given as a relative path with a slash is looked up from this directory.
         */
        public Builder directory(Path dir) {
            this.directory = dir == null ? null : dir.toAbsolutePath();
            return this;
        }

        /**
         * The file the child's standard input (fd 0) reads from, opened read-only (it must exist: a missing one
         * fails {@link #start()}); null (default) to inherit. A daemon usually reads {@code /dev/null}, so that it
         * does not hold on to the terminal or pipe that started it.
         */
        public Builder redirectInput(Path file) {
            this.stdin = file == null ? null : file.toAbsolutePath().normalize();
            return this;
        }

        /** The file the child's standard output (fd 1) goes to, created or truncated; null (default) to inherit. */
        public Builder redirectOutput(Path file) {
            this.stdout = file == null ? null : file.toAbsolutePath().normalize();
            return this;
        }

        /**
         * The file the child's standard error (fd 2) goes to, created or truncated; null (default) to inherit.
         * The same file as {@link #redirectOutput} is opened once and shared, so the two streams interleave.
         */
        public Builder redirectError(Path file) {
            this.stderr = file == null ? null : file.toAbsolutePath().normalize();
            return this;
        }

        /**
         * Whether the child starts in a new session (setsid: no controlling terminal, its own process group), so
         * that it survives this JVM and its terminal. {@link ChildProcess#close()} does not stop a detached child.
         */
        public Builder detached(boolean detached) {
            this.detached = detached;
            return this;
        }

        /**
         * Starts the child. Whether it succeeds or fails, this JVM's copy of every passed end is closed.
         *
         * @return the running child
         * @throws IOException naming the program and the reason (e.g. {@code Cannot run program "x": ENOENT (No
         *         such file or directory)}; EACCES for a directory or a file that is not executable; a missing
         *         working directory; a redirect file that cannot be created, an input file that cannot be opened)
         * @throws IllegalStateException if this builder already started a process, or a passed end was closed
         *         after it was passed
         * @throws UnsupportedOperationException on Windows, and where the native layer cannot load
         */
        public ChildProcess start() throws IOException {
            if (started) {
                throw new IllegalStateException("this builder already started a process: a builder starts one,"
                        + " since the ends it passed were handed over");
            }
            started = true;
            List<FdHandle> handedOver = new ArrayList<>(ends.size()); // sized: add() after a hand-off must not fail
            try {
                if (Os.WINDOWS) {
                    throw new UnsupportedOperationException("ChildProcess is not implemented on Windows: handing a"
                            + " pipe to a child there needs handle inheritance (a handle list in STARTUPINFOEX),"
                            + " which tokenpipe does not do; the passed ends were closed");
                }
                if (NativeIo.get() == null) {
                    throw new UnsupportedOperationException("cannot start a child: " + NativeIo.unavailableReason());
                }
                int[] fds = new int[ends.size()];
                int[] targets = new int[ends.size()];
                for (int i = 0; i < fds.length; i++) {
                    FdHandle handle = ends.get(i).handle();
                    fds[i] = handle.beginHandOff(); // no call is in flight on it after this
                    if (fds[i] == -1) {
                        throw new IllegalStateException("the end passed at childFd " + childFds.get(i)
                                + " was closed after it was passed");
                    }
                    handedOver.add(handle);
                    targets[i] = childFds.get(i);
                }
                int pid = new ProcessLauncher(command)
                        .environment(environment)
                        .directory(directory)
                        .input(stdin)
                        .redirects(stdout, stderr)
                        .detached(detached)
                        .pass(fds, targets)
                        .spawn();
                ChildWatch watch;
                try {
                    watch = ChildWatch.watch(pid, true);
                } catch (Throwable e) { // no thread could be started to watch it: do not leave it unreaped
                    ChildWatch.killAndReap(pid);
                    throw new IOException("started " + command.get(0) + " (pid " + pid + ") but could not watch"
                            + " it, so it was killed: " + e, e);
                }
                return new ChildProcess(watch, detached, command.get(0));
            } finally { // index loops: an iterator is an allocation, which may fail after an OutOfMemoryError
                for (int i = 0; i < handedOver.size(); i++) {
                    handedOver.get(i).finishHandOff(); // closes this JVM's copy; the child has its own
                }
                for (int i = 0; i < ends.size(); i++) {
                    ends.get(i).close(); // closes the ends not handed over; for the others only releases the leak guard
                }
            }
        }

        private static void requireVariableName(String name) {
            if (name.isEmpty() || name.indexOf('=') >= 0) {
                throw new IllegalArgumentException("environment variable name \"" + name
                        + "\" is empty or contains '='");
            }
            requireNoNul(name, "environment variable name");
        }

        private static void requireNoNul(String text, String what) {
            if (text.indexOf('\0') >= 0) {
                throw new IllegalArgumentException(what + " \"" + text.replace('\0', '?')
                        + "\" contains a NUL character, which C strings cannot hold");
            }
        }
    }
}
