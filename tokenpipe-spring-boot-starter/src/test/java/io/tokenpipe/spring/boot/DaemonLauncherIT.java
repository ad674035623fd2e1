package io.tokenpipe.spring.boot;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.tokenpipe.ChildProcess;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.Processes;
import io.tokenpipe.testing.RawFds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Daemon mode's launcher at its edges, as real processes: a copy that exits right after its token, a SIGTERM
 * while the copy is being started, the environment the copy gets, and a launcher that was itself given a notify
 * descriptor by its own parent (bitcoind's {@code -daemonwait} one level up).
 */
@ExtendWith(FdCount.class)
@Timeout(240)
class DaemonLauncherIT {

    private static final Pattern STARTED = Pattern.compile("started the application as pid (\\d+) ");

    private static final Duration HANG_GUARD = Duration.ofSeconds(90);

    @TempDir
    Path directory;

    /**
     * The copy writes its token and exits before the launcher has written the pid file: the copy's shutdown hook
     * found no file to remove. The launcher is stopped (SIGSTOP) while the copy does that, so the order is certain.
     */
    @Test
    void aCopyThatExitsBeforeThePidFileIsWrittenLeavesNoPidFileAndTheLauncherExitsOne() throws Exception {
        Path pidFile = this.directory.resolve("app.pid");
        Path go = this.directory.resolve("go");
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of(), ServiceChildApplication.class,
                "--tokenpipe.daemon.wait=true", "--tokenpipe.daemon.log-file=copy.log",
                "--tokenpipe.daemon.pid-file=app.pid", "--child.await-file=" + go, "--child.exit-when-ready=true")) {
            long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
            signal("STOP", launcher.pid());
            try {
                Files.createFile(go); // the copy becomes ready, writes its token, and exits
                ChildJvm.awaitGone(copy); // its hook waits 10 s for the stopped launcher; then a zombie
            }
            finally {
                signal("CONT", launcher.pid());
            }
            assertThat(launcher.awaitExit()).as(launcher.text()).isEqualTo(1);
            assertThat(pidFile).as("a pid file naming a process that has exited").doesNotExist();
            assertThat(launcher.text()).contains("pid " + copy + " was ready, but exited with code 0 right after")
                .doesNotContain("the application is ready in the background");
            try (Stream<Path> entries = Files.list(this.directory)) {
                assertThat(entries.map((entry) -> entry.getFileName().toString())).as("no temporary pid file left")
                    .noneMatch((name) -> name.startsWith(".tokenpipe-pid"));
            }
        }
    }

    /**
     * As above, but the copy's JVM still runs (other shutdown hooks) when the launcher looks at it after writing the
     * pid file: the launcher cannot tell, and exits 0; the copy's own hook, which found no file, waits for its
     * launcher to finish and looks again.
     */
    @Test
    void aCopyStillShuttingDownWhenThePidFileIsWrittenRemovesItOnceTheLauncherIsDone() throws Exception {
        Path pidFile = this.directory.resolve("app.pid");
        Path go = this.directory.resolve("go");
        Path hold = Files.createDirectory(this.directory.resolve("hold"));
        List<String> options = new ArrayList<>(ChildJvm.JVM_OPTIONS);
        options.add("--add-opens=java.base/java.lang=ALL-UNNAMED"); // the copy repeats it: for --child.exit-hold-dir
        try (ChildJvm launcher = ChildJvm.startCommand(this.directory, "launcher", Map.of(),
                JavaChild.command(options, ServiceChildApplication.class, "--tokenpipe.daemon.wait=true",
                        "--tokenpipe.daemon.log-file=copy.log", "--tokenpipe.daemon.pid-file=app.pid",
                        "--child.await-file=" + go, "--child.exit-when-ready=true", "--child.exit-hold-dir=" + hold))) {
            long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
            signal("STOP", launcher.pid());
            try {
                Files.createFile(go); // the copy becomes ready, writes its token, and begins to exit
                awaitFile(hold.resolve("looked")); // its pid file hook has looked: no file yet
            }
            finally {
                signal("CONT", launcher.pid());
            }
            assertThat(launcher.awaitExit()).as(launcher.text()).isZero();
            assertThat(Processes.isRunning(copy)).as("the copy is still shutting down").isTrue();
            Files.createFile(hold.resolve("release"));
            ChildJvm.awaitGone(copy);
            assertThat(pidFile).as("a pid file naming a process that has exited").doesNotExist();
        }
    }

    /**
     * A SIGTERM that reaches the launcher after its copy was spawned and before anything else happened: the copy
     * must be stopped, not left running with nobody told. The launcher's standard output is a full FIFO, so its
     * first line ("started the application as pid N"), which it writes right after the spawn, blocks it there.
     */
    @Test
    void aSigtermRightAfterTheCopyWasSpawnedStopsTheCopy() throws Exception {
        Path fifo = this.directory.resolve("out.fifo");
        assertThat(RawFds.mkfifo(fifo.toString(), 0600)).isZero();
        int held = RawFds.open(fifo.toString(), RawFds.O_RDWR | RawFds.O_CLOEXEC, 0); // a reader: opens never block
        Thread drain = null;
        Process launcher = null;
        long copy = -1;
        try {
            fill(fifo);
            Path errors = this.directory.resolve("launcher.err");
            launcher = new ProcessBuilder(JavaChild.command(ChildJvm.JVM_OPTIONS, ServiceChildApplication.class,
                    "--tokenpipe.daemon.wait=true", "--tokenpipe.daemon.log-file=copy.log", "--child.delay=60s"))
                .directory(this.directory.toFile())
                .redirectInput(new File("/dev/null"))
                .redirectOutput(fifo.toFile())
                .redirectError(errors.toFile())
                .start();
            copy = awaitCopyOf(launcher.pid());
            launcher.destroy(); // SIGTERM, while the launcher is stuck writing its first line
            awaitNotRunning(copy);
            drain = drain(fifo);
            RawFds.close(held);
            held = -1;
            assertThat(launcher.waitFor(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).as("the launcher exits").isTrue();
            assertThat(launcher.exitValue()).isEqualTo(143);
            assertThat(Files.readString(errors))
                .contains("Daemon mode: stopped before pid " + copy + " was ready; stopped it (exit code 143)");
        }
        finally {
            if (copy > 0) {
                ProcessHandle.of(copy).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (drain == null) {
                drain = drain(fifo);
            }
            if (held >= 0) {
                RawFds.close(held);
            }
            if (launcher != null) {
                launcher.destroyForcibly();
                launcher.waitFor();
            }
            drain.join(HANG_GUARD.toMillis());
        }
    }

    /**
     * TOKENPIPE_DAEMON_WAIT is the launcher's switch: the copy, and so every process the application starts (a
     * child Boot application would daemonize itself), must not get it.
     */
    @Test
    void theCopyDoesNotGetTheDaemonSwitchInItsEnvironment() throws Exception {
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of("TOKENPIPE_DAEMON_WAIT", "true"),
                ServiceChildApplication.class, "--tokenpipe.daemon.log-file=copy.log")) {
            long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
            assertThat(launcher.awaitExit()).as(launcher.text()).isZero();
            List<String> environment = environmentOf(copy);
            assertThat(environment).as("the copy's environment").isNotEmpty()
                .noneMatch((entry) -> entry.startsWith("TOKENPIPE_DAEMON_WAIT="));
            ProcessHandle.of(copy).orElseThrow().destroy();
            ChildJvm.awaitGone(copy);
        }
    }

    /**
     * The launcher's own parent waits for a token (TOKENPIPE_NOTIFY_FD): the launcher writes its ready token, in
     * the launcher's own settings (10 here), once the copy is ready; the copy still speaks 1 and 0 at its fd 3, and
     * neither gets the launcher's descriptor nor the variable that names it.
     */
    @Test
    void aLauncherGivenANotifyFdWritesItsReadyTokenThereOnceTheCopyIsReady() throws Exception {
        Path output = this.directory.resolve("launcher.out");
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd token = pipe.takeReadEnd();
                ChildProcess launcher = launcher(pipe, output, "--tokenpipe.daemon.wait=true",
                        "--tokenpipe.daemon.log-file=copy.log", "--tokenpipe.notify.ready-token=10")) {
            try {
                assertThat(token.tokenRead(HANG_GUARD)).as(() -> read(output)).isEqualTo(10);
                assertThat(launcher.waitFor(HANG_GUARD)).isTrue();
                assertThat(launcher.exitValue().getAsInt()).as(() -> read(output)).isZero();
                long copy = startedCopy(output).orElseThrow();
                assertThat(token.tokenRead(HANG_GUARD)).as("nothing after the token, and the copy, which still runs,"
                        + " holds no copy of the write end").isEqualTo(TokenPipeEnd.TS_EOS);
                assertThat(Processes.isRunning(copy)).isTrue();
                assertThat(environmentOf(copy)).noneMatch((entry) -> entry.startsWith("TOKENPIPE_NOTIFY_FD="));
            }
            finally {
                // whatever failed above, the copy (a session of its own, detached) must not run on for ever. A
                // launcher still running stops a copy that is not ready yet on SIGTERM; one that is, is named here.
                launcher.destroy();
                launcher.waitFor(HANG_GUARD);
                OptionalLong copy = startedCopy(output);
                if (copy.isPresent()) {
                    ProcessHandle.of(copy.getAsLong()).ifPresent(ProcessHandle::destroy);
                    ChildJvm.awaitGone(copy.getAsLong());
                }
            }
        }
    }

    /** The pid of the copy as the launcher named it in its output, if it did. */
    private static OptionalLong startedCopy(Path output) {
        return STARTED.matcher(read(output)).results().mapToLong((match) -> Long.parseLong(match.group(1)))
            .findFirst();
    }

    @Test
    void aLauncherGivenANotifyFdWritesItsFailureTokenThereWhenTheCopyFails() throws Exception {
        Path output = this.directory.resolve("launcher.out");
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd token = pipe.takeReadEnd();
                ChildProcess launcher = launcher(pipe, output, "--tokenpipe.daemon.wait=true",
                        "--tokenpipe.daemon.log-file=copy.log", "--tokenpipe.notify.failure-token=7",
                        "--child.fail=true")) {
            assertThat(token.tokenRead(HANG_GUARD)).as(() -> read(output)).isEqualTo(7);
            assertThat(launcher.waitFor(HANG_GUARD)).isTrue();
            assertThat(launcher.exitValue().getAsInt()).as(() -> read(output)).isEqualTo(1);
            assertThat(read(output)).contains("failed to start (token 0)", "the database is not there");
        }
    }

    @Test
    void aLauncherGivenANotifyFdWritesItsFailureTokenThereOnABadDaemonSetting() throws Exception {
        Path output = this.directory.resolve("launcher.out");
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd token = pipe.takeReadEnd();
                ChildProcess launcher = launcher(pipe, output, "--tokenpipe.daemon.wait=true",
                        "--tokenpipe.daemon.timeout=0s")) {
            assertThat(token.tokenRead(HANG_GUARD)).as(() -> read(output)).isZero();
            assertThat(launcher.waitFor(HANG_GUARD)).isTrue();
            assertThat(launcher.exitValue().getAsInt()).as(() -> read(output)).isEqualTo(1);
            assertThat(read(output)).contains("tokenpipe.daemon.timeout", "must be more than zero")
                .doesNotContain("started the application as pid");
        }
    }

    @Test
    void aNotifyFdThatIsNotOpenInTheLauncherFailsStartUpNamingThePropertyBeforeAnyCopyIsStarted() throws Exception {
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of("TOKENPIPE_NOTIFY_FD", "5"),
                ServiceChildApplication.class, "--tokenpipe.daemon.wait=true")) {
            assertThat(launcher.awaitExit()).as(launcher.text()).isEqualTo(1);
            assertThat(launcher.text()).contains("APPLICATION FAILED TO START", "'tokenpipe.notify.fd'")
                .doesNotContain("started the application as pid");
        }
    }

    /** The launcher JVM as the child of this one, with the pipe's write end at its fd 5 and TOKENPIPE_NOTIFY_FD=5. */
    private ChildProcess launcher(TokenPipe pipe, Path output, String... args) throws IOException {
        return ChildProcess.builder(JavaChild.command(ChildJvm.JVM_OPTIONS, ServiceChildApplication.class, args))
            .passEnd(pipe.takeWriteEnd(), 5)
            .environment("TOKENPIPE_NOTIFY_FD", "5")
            .directory(this.directory)
            .redirectInput(Path.of("/dev/null"))
            .redirectOutput(output)
            .redirectError(output)
            .start();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            return "(" + file + " cannot be read: " + ex + ")";
        }
    }

    private static List<String> environmentOf(long pid) throws IOException {
        String environ = Files.readString(Path.of("/proc", Long.toString(pid), "environ"), StandardCharsets.ISO_8859_1);
        return List.of(environ.split("\0"));
    }

    /** The shell's built-in kill: /bin/kill (procps) need not be installed. */
    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " \"$1\"", "sh", Long.toString(pid))
            .inheritIO()
            .start();
        assertThat(kill.waitFor(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -" + signal + " " + pid).isZero();
    }

    /** Fills the FIFO's buffer through a non-blocking descriptor of its own (O_NONBLOCK stays off the others). */
    private static void fill(Path fifo) {
        int fd = RawFds.open(fifo.toString(), 1 /* O_WRONLY */ | RawFds.O_NONBLOCK | RawFds.O_CLOEXEC, 0);
        assertThat(fd).isNotNegative();
        try {
            byte[] block = new byte[4096];
            while (RawFds.write(fd, block, block.length) > 0) {
                // until a whole block no longer fits
            }
            while (RawFds.write(fd, block, 1) > 0) {
                // and then the last bytes
            }
        }
        finally {
            RawFds.close(fd);
        }
    }

    /**
     * Reads the FIFO to its end on a thread of its own: the end comes once every writer closed it. Opened here,
     * while this JVM still holds a writer (an open for reading waits for one).
     */
    private static Thread drain(Path fifo) throws IOException {
        InputStream in = Files.newInputStream(fifo);
        Thread drain = new Thread(() -> {
            try (in) {
                in.transferTo(OutputStream.nullOutputStream());
            }
            catch (IOException ex) {
                throw new IllegalStateException(ex);
            }
        }, "fifo-drain");
        drain.setDaemon(true);
        drain.start();
        return drain;
    }

    /** The pid of the copy the launcher spawned, once it has exec'd (its command line carries the copy mark). */
    private static long awaitCopyOf(long launcher) throws Exception {
        long deadline = System.nanoTime() + HANG_GUARD.toNanos();
        while (true) {
            for (long child : childrenOf(launcher)) {
                try {
                    if (Files.readString(Path.of("/proc", Long.toString(child), "cmdline"), StandardCharsets.ISO_8859_1)
                        .contains("-D" + DaemonCommand.COPY_MARK + "=true")) {
                        return child;
                    }
                }
                catch (IOException gone) {
                    // a process that exited meanwhile (JNA's ldconfig)
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("pid " + launcher + " started no copy");
            }
            Thread.sleep(5);
        }
    }

    private static List<Long> childrenOf(long pid) throws IOException {
        List<Long> children = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    for (String child : Files.readString(task.resolve("children")).trim().split(" ")) {
                        if (!child.isEmpty()) {
                            children.add(Long.parseLong(child));
                        }
                    }
                }
                catch (IOException threadGone) {
                    // a thread that ended meanwhile
                }
            }
        }
        return children;
    }

    private static void awaitFile(Path file) throws InterruptedException {
        long deadline = System.nanoTime() + HANG_GUARD.toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + file);
            }
            Thread.sleep(10);
        }
    }

    private static void awaitNotRunning(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Processes.isRunning(pid)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("pid " + pid + " still runs: nobody stopped it");
            }
            Thread.sleep(10);
        }
    }

}
