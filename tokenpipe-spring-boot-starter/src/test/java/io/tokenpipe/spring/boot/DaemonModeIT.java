package io.tokenpipe.spring.boot;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.Processes;
import io.tokenpipe.testing.RawFds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Daemon mode of an application started with {@code java -cp} (the demo's {@code DaemonModeIT} runs the same
 * through {@code java -jar}), as real processes: the launcher's exit code and words, the detached copy's session,
 * descriptors and command line, the pid file, and that nothing is left running.
 */
@ExtendWith(FdCount.class)
@Timeout(240)
class DaemonModeIT {

    private static final Pattern STARTED = Pattern.compile("started the application as pid (\\d+) ");

    private static final String READY = "the application is ready in the background, pid ";

    @TempDir
    Path directory;

    @Test
    void launcherExitsZeroOnceTheCopyIsReadyAndTheCopyRunsDetached() throws Exception {
        Path log = this.directory.resolve("copy.log");
        // a launcher given a notify descriptor of its own: DaemonLauncherIT
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of(), ServiceChildApplication.class,
                "--tokenpipe.daemon.wait=true", "--tokenpipe.daemon.log-file=copy.log",
                "--tokenpipe.notify.ready-token=10", "--child.delay=500ms", "plain-argument")) {
            long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
            assertThat(launcher.awaitExit()).as(launcher.text()).isZero();
            assertThat(launcher.text()).contains(READY + copy).doesNotContain("ERROR");

            assertThat(Processes.isRunning(copy)).as("the copy runs after the launcher exited").isTrue();
            assertThat(Processes.stat(copy)[3]).as("the copy leads a session of its own").isEqualTo(Long.toString(copy));
            Path fds = Path.of("/proc", Long.toString(copy), "fd");
            assertThat(Files.readSymbolicLink(fds.resolve("0"))).isEqualTo(Path.of("/dev/null"));
            assertThat(Files.readSymbolicLink(fds.resolve("1"))).isEqualTo(log.toRealPath());
            assertThat(Files.readSymbolicLink(fds.resolve("2"))).isEqualTo(log.toRealPath());
            assertThat(RawFds.target(Long.toString(copy), 3)).as("fd 3, closed after the token").isNull();
            String commandLine = Files.readString(Path.of("/proc", Long.toString(copy), "cmdline")).replace('\0', ' ');
            assertThat(commandLine).contains("-Dtokenpipe.daemon.wait=false", "-Dtokenpipe.notify.fd=3",
                    "-Dtokenpipe.notify.ready-token=1", "-Dtokenpipe.notify.failure-token=0", "-XX:+UseSerialGC",
                    ServiceChildApplication.class.getName() + " --tokenpipe.daemon.log-file=copy.log --child.delay=500ms"
                            + " plain-argument")
                .doesNotContain("--tokenpipe.daemon.wait=true", "--tokenpipe.notify.ready-token=10");

            ProcessHandle.of(copy).orElseThrow().destroy();
            ChildJvm.awaitGone(copy);
            assertThat(Files.readString(log)).contains("Started ServiceChildApplication");
        }
    }

    /**
     * Sources of the daemon switch that the copy inherits from its launcher: the environment, and JVM options,
     * which the copy's command repeats. SPRING_APPLICATION_JSON (and spring.application.json) outrank the system
     * properties that switch the copy off.
     */
    static Stream<Arguments> switchesTheCopyInherits() {
        return Stream.of(
                Arguments.of("SPRING_APPLICATION_JSON, nested",
                        Map.of("SPRING_APPLICATION_JSON", "{\"tokenpipe\":{\"daemon\":{\"wait\":true}}}"), List.of()),
                Arguments.of("SPRING_APPLICATION_JSON, flat",
                        Map.of("SPRING_APPLICATION_JSON", "{\"tokenpipe.daemon.wait\":true}"), List.of()),
                Arguments.of("-Dspring.application.json", Map.of(),
                        List.of("-Dspring.application.json={\"tokenpipe\":{\"daemon\":{\"wait\":true}}}")),
                Arguments.of("TOKENPIPE_DAEMON_WAIT and SPRING_APPLICATION_JSON", Map.of("TOKENPIPE_DAEMON_WAIT",
                        "true", "SPRING_APPLICATION_JSON", "{\"tokenpipe.daemon.wait\":\"true\"}"), List.of()),
                Arguments.of("-Dtokenpipe.daemon.wait=true", Map.of(), List.of("-Dtokenpipe.daemon.wait=true")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("switchesTheCopyInherits")
    void theCopyNeverLaunchesACopyOfItsOwnWhereverTheSwitchCameFrom(String source, Map<String, String> environment,
            List<String> jvmOptions) throws Exception {
        Path pidFile = this.directory.resolve("app.pid");
        List<String> options = new ArrayList<>(ChildJvm.JVM_OPTIONS);
        options.addAll(jvmOptions);
        try (ChildJvm launcher = ChildJvm.startCommand(this.directory, "launcher", environment,
                JavaChild.command(options, ServiceChildApplication.class, "--tokenpipe.daemon.log-file=copy.log",
                        "--tokenpipe.daemon.pid-file=app.pid"))) {
            try {
                long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
                awaitExitWithAtMostOneCopy(launcher);
                assertThat(launcher.process().exitValue()).as(launcher.text()).isZero();
                assertThat(launcher.text()).contains(READY + copy);
                assertThat(Files.readString(pidFile)).isEqualTo(copy + "\n");
                assertThat(applicationJvmsIn(this.directory)).as("the JVMs of this application that run")
                    .containsExactly(copy);
                assertThat(Files.readString(this.directory.resolve("copy.log")))
                    .contains("Started ServiceChildApplication")
                    .doesNotContain("Daemon mode: started the application");

                ProcessHandle.of(copy).orElseThrow().destroy();
                ChildJvm.awaitGone(copy);
                assertThat(pidFile).doesNotExist();
            }
            finally {
                killApplicationJvmsIn(this.directory); // a chain of copies, should one have started
            }
        }
    }

    /**
     * JVM options from the environment reach the copy once, through the environment it inherits: an agent given in
     * JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS or _JAVA_OPTIONS, quoted (its directory has a space), loads once in the
     * launcher and once in the copy. Before, the copy's command line repeated them (or, quoted, failed to match
     * them), and the copy loaded the agent twice.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = { "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS" })
    void anAgentFromTheEnvironmentLoadsOnceInTheCopy(String variable) throws Exception {
        Path agent = LineAgent.jar(this.directory.resolve("agent dir").resolve("agent.jar"));
        Path loads = this.directory.resolve("loads.txt");
        String options = "-Dgreeting=\"a b\" -javaagent:'" + agent + "'=" + loads;
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of(variable, options),
                ServiceChildApplication.class, "--tokenpipe.daemon.wait=true",
                "--tokenpipe.daemon.log-file=copy.log")) {
            long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
            assertThat(launcher.awaitExit()).as(launcher.text()).isZero();
            assertThat(Files.readAllLines(loads)).as("the pid of the JVM, at each load of the agent")
                .containsExactly(Long.toString(launcher.pid()), Long.toString(copy));
            ProcessHandle.of(copy).orElseThrow().destroy();
            ChildJvm.awaitGone(copy);
        }
    }

    /**
     * A JVM option that opens a fixed port cannot be repeated: the launcher holds the port until its copy is ready,
     * so the copy could only fail ("exited with code 2 before it was ready"). Daemon mode says so before it starts
     * any copy, naming the option, where it came from, and what to do.
     */
    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource(delimiter = '|', value = {
        "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:%d | the command line",
        "-Dcom.sun.management.jmxremote.port=%d                                    | the command line",
        "-Dcom.sun.management.jmxremote.port=%d                                    | JAVA_TOOL_OPTIONS" })
    void aJvmOptionThatHoldsAPortIsAConfigurationErrorBeforeAnyCopyStarts(String format, String where)
            throws Exception {
        String option = format.formatted(freePort());
        List<String> options = new ArrayList<>(ChildJvm.JVM_OPTIONS);
        options.addAll(List.of("-Dcom.sun.management.jmxremote.authenticate=false",
                "-Dcom.sun.management.jmxremote.ssl=false"));
        Map<String, String> environment = Map.of();
        if (where.equals("the command line")) {
            options.add(option);
        }
        else {
            environment = Map.of(where, "'" + option + "'"); // quoted: the error names it as the JVM read it
        }
        try (ChildJvm launcher = ChildJvm.startCommand(this.directory, "launcher", environment,
                JavaChild.command(options, ServiceChildApplication.class, "--tokenpipe.daemon.wait=true",
                        "--tokenpipe.daemon.log-file=copy.log"))) {
            assertThat(launcher.awaitExit()).as(launcher.text()).isEqualTo(1);
            assertThat(launcher.text()).contains("APPLICATION FAILED TO START")
                .contains("Invalid value 'true' for configuration property 'tokenpipe.daemon.wait'")
                .contains("the JVM option '" + option + "'"
                        + (where.equals("the command line") ? ": " : " (from " + where + ", which the copy inherits)"))
                .contains("port 0")
                .doesNotContain("started the application as pid");
            assertThat(this.directory.resolve("copy.log")).as("no copy started").doesNotExist();
        }
    }

    /** What the error above advises: a debugger on any free port; the copy's log says which. */
    @Test
    void aDebuggerOnAnyFreePortDebugsTheCopy() throws Exception {
        List<String> options = new ArrayList<>(ChildJvm.JVM_OPTIONS);
        options.add("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:0");
        try (ChildJvm launcher = ChildJvm.startCommand(this.directory, "launcher", Map.of(),
                JavaChild.command(options, ServiceChildApplication.class, "--tokenpipe.daemon.wait=true",
                        "--tokenpipe.daemon.log-file=copy.log"))) {
            long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
            assertThat(launcher.awaitExit()).as(launcher.text()).isZero();
            assertThat(Files.readString(this.directory.resolve("copy.log")))
                .contains("Listening for transport dt_socket at address: ");
            ProcessHandle.of(copy).orElseThrow().destroy();
            ChildJvm.awaitGone(copy);
        }
    }

    /**
     * In a SpringApplicationBuilder hierarchy the parent application starts first; the launcher must not run it
     * (its beans, runners and locks would run twice, once in the launcher): it launches the copy at the first
     * application of the JVM, and the copy runs all of main again.
     */
    @Test
    void inABuilderHierarchyOnlyTheCopyRunsTheParentContext() throws Exception {
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of(), HierarchyChildApplication.class,
                "--tokenpipe.daemon.wait=true", "--tokenpipe.daemon.log-file=copy.log")) {
            long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
            assertThat(launcher.awaitExit()).as(launcher.text()).isZero();
            assertThat(launcher.text()).contains(READY + copy);
            assertThat(Files.readAllLines(this.directory.resolve("parent.log"))).as("who ran the parent context")
                .containsExactly("parent context in pid " + copy);
            ProcessHandle.of(copy).orElseThrow().destroy();
            ChildJvm.awaitGone(copy);
        }
    }

    @Test
    void launcherExitsOneWithTheReasonWhenTheCopyFailsToStart() throws Exception {
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of("TOKENPIPE_DAEMON_WAIT", "true"),
                ServiceChildApplication.class, "--tokenpipe.daemon.log-file=copy.log", "--child.fail=true")) {
            long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
            assertThat(launcher.awaitExit()).as(launcher.text()).isEqualTo(1);
            assertThat(launcher.text()).contains("pid " + copy + " failed to start (token 0) and exited with code 1: ")
                .contains("the database is not there")
                .doesNotContain(READY);
            ChildJvm.awaitGone(copy);
        }
    }

    @Test
    void swappedTokensInSpringApplicationJsonCannotMakeAFailedCopyLookReady() throws Exception {
        // SPRING_APPLICATION_JSON outranks the system properties the copy is given its tokens by
        String swapped = "{\"tokenpipe\":{\"notify\":{\"ready-token\":0,\"failure-token\":1}}}";
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of("SPRING_APPLICATION_JSON", swapped),
                ServiceChildApplication.class, "--tokenpipe.daemon.wait=true", "--tokenpipe.daemon.log-file=copy.log",
                "--child.fail=true")) {
            long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
            assertThat(launcher.awaitExit()).as(launcher.text()).isEqualTo(1);
            assertThat(launcher.text()).contains("pid " + copy + " failed to start (token 0)").doesNotContain(READY);
            ChildJvm.awaitGone(copy);
        }
    }

    @Test
    void launcherExitsOneWhenTheCopyIsKilledBeforeItIsReady() throws Exception {
        // bitcoind -daemonwait exits 0 here: it takes the end of stream for a token
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of(), ServiceChildApplication.class,
                "--tokenpipe.daemon.wait=true", "--tokenpipe.daemon.log-file=copy.log", "--child.delay=60s")) {
            long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
            awaitLine(this.directory.resolve("copy.log"), "Started ServiceChildApplication"); // in its slow runner
            ProcessHandle.of(copy).orElseThrow().destroyForcibly(); // SIGKILL: no failure token can be written
            assertThat(launcher.awaitExit()).as(launcher.text()).isEqualTo(1);
            assertThat(launcher.text()).contains("pid " + copy + " exited with code 137 before it was ready")
                .doesNotContain(READY);
        }
    }

    @Test
    void launcherStopsACopyThatIsNotReadyInTimeAndExitsOne() throws Exception {
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of(), ServiceChildApplication.class,
                "--tokenpipe.daemon.wait=true", "--tokenpipe.daemon.timeout=3s", "--child.delay=60s")) {
            long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
            assertThat(launcher.awaitExit()).as(launcher.text()).isEqualTo(1);
            assertThat(launcher.text())
                .contains("pid " + copy + " was not ready within 3s (tokenpipe.daemon.timeout); stopped it (exit code 143)")
                .doesNotContain(READY);
            ChildJvm.awaitGone(copy);
        }
    }

    @Test
    void pidFileHoldsTheCopysPidOnceTheLauncherExitsZeroAndGoesWithTheCopy() throws Exception {
        Path pidFile = this.directory.resolve("run").resolve("app.pid");
        Files.createDirectories(pidFile.getParent());
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of(), ServiceChildApplication.class,
                "--tokenpipe.daemon.wait=true", "--tokenpipe.daemon.pid-file=run/app.pid")) {
            long copy = launcher.track(Long.parseLong(launcher.await(STARTED)));
            assertThat(launcher.awaitExit()).as(launcher.text()).isZero();
            assertThat(Files.readString(pidFile)).isEqualTo(copy + "\n");
            assertThat(launcher.text()).contains(READY + copy + " (written to " + pidFile + ")");
            try (var entries = Files.list(pidFile.getParent())) {
                assertThat(entries).as("no temporary file left beside it").containsExactly(pidFile);
            }

            ProcessHandle.of(copy).orElseThrow().destroy(); // SIGTERM: it exits normally and removes its pid file
            ChildJvm.awaitGone(copy);
            assertThat(pidFile).doesNotExist();
        }
    }

    @Test
    void daemonModeWithTheStarterTurnedOffIsAConfigurationErrorNamingTheProperty() throws Exception {
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of(), ServiceChildApplication.class,
                "--tokenpipe.daemon.wait=true", "--tokenpipe.enabled=false")) {
            assertThat(launcher.awaitExit()).as(launcher.text()).isEqualTo(1);
            assertThat(launcher.text()).contains("APPLICATION FAILED TO START")
                .contains("Invalid value 'true' for configuration property 'tokenpipe.daemon.wait'")
                .contains("needs tokenpipe.enabled=true")
                .doesNotContain("started the application as pid");
        }
    }

    @Test
    void aTimeoutOfZeroIsAConfigurationErrorNamingThePropertyAndItsOrigin() throws Exception {
        try (ChildJvm launcher = ChildJvm.start(this.directory, "launcher", Map.of(), ServiceChildApplication.class,
                "--tokenpipe.daemon.wait=true", "--tokenpipe.daemon.timeout=0s")) {
            assertThat(launcher.awaitExit()).as(launcher.text()).isEqualTo(1);
            assertThat(launcher.text())
                .contains("Invalid value 'PT0S' for configuration property 'tokenpipe.daemon.timeout' (originating from")
                .contains("property source \"commandLineArgs\"")
                .contains("must be more than zero");
        }
    }

    /**
     * Waits for the launcher to exit, failing at once if a third JVM of the application shows up meanwhile (the
     * copy launching a copy of its own): such a chain would not end by itself.
     */
    private void awaitExitWithAtMostOneCopy(ChildJvm launcher) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (!launcher.process().waitFor(20, TimeUnit.MILLISECONDS)) {
            assertThat(applicationJvmsIn(this.directory)).as("the launcher and at most one copy; launcher: %s",
                    launcher.text()).hasSizeLessThanOrEqualTo(2);
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the launcher did not exit: " + launcher.text());
            }
        }
    }

    /**
     * The live JVMs working in {@code directory} that run ServiceChildApplication: every copy inherits both. Not
     * counted: a process a JVM forks to run another program (each JVM here runs JNA's {@code /sbin/ldconfig -p}
     * through the JDK's jspawnhelper), which shows the JVM's command line and directory until its exec, a few
     * milliseconds later. It runs one thread (a fork copies only the thread that called it); a JVM runs a dozen from
     * its first milliseconds on, and the callers look again every 20 ms.
     */
    private static List<Long> applicationJvmsIn(Path directory) throws IOException {
        Path here = directory.toRealPath();
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.matches("\\d+")) {
                    continue;
                }
                try {
                    long pid = Long.parseLong(name);
                    if (Files.readSymbolicLink(entry.resolve("cwd")).equals(here) && Processes.isRunning(pid)
                            && threads(pid) > 1
                            && Files.readString(entry.resolve("cmdline"), StandardCharsets.ISO_8859_1)
                                .contains(ServiceChildApplication.class.getName())) {
                        pids.add(pid);
                    }
                }
                catch (IOException exitedMeanwhile) {
                    // gone between the listing and the look
                }
            }
        }
        return pids;
    }

    /** The Threads: of /proc/pid/status; 0 once it is gone. */
    private static int threads(long pid) {
        String threads = Processes.status(pid, "Threads");
        return (threads != null) ? Integer.parseInt(threads) : 0;
    }

    /** SIGKILL to every such process until none is left: a copy being started shows up at the next look. */
    private static void killApplicationJvmsIn(Path directory) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        for (int quiet = 0; quiet < 5; ) {
            List<Long> running = applicationJvmsIn(directory);
            running.forEach((pid) -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            quiet = running.isEmpty() ? quiet + 1 : 0;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("JVMs still start in " + directory + ": " + running);
            }
            Thread.sleep(20);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void awaitLine(Path file, String line) throws Exception {
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (!Files.exists(file) || !Files.readString(file).contains(line)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + line + "' in " + file);
            }
            Thread.sleep(10);
        }
    }

}
