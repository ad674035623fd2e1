package io.tokenpipe.demo;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.tokenpipe.testing.Processes;
import org.jspecify.annotations.Nullable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * What the end-to-end tests need to run the packaged jar as real processes: the command, output files, HTTP,
 * and every process a test learns of, so that {@link #killAll()} ends them all, also when the test failed.
 */
final class DemoProcesses implements AutoCloseable {

    /** Quicker start-up on the shared 2-core machine; the daemon copy inherits them from the launcher. */
    static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    static final String WORKER_MAIN = "io.tokenpipe.demo.worker.WorkerMain";

    static final Duration START_UP = Duration.ofSeconds(60);

    static final Pattern WORKER_PID = Pattern.compile("Started worker pid (\\d+)");

    static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path directory;

    private final List<Process> processes = new ArrayList<>();

    private final Set<Long> pids = new LinkedHashSet<>();

    DemoProcesses(Path directory) {
        this.directory = directory;
    }

    /** The jar that {@code package} built (failsafe passes its path). */
    static Path jar() {
        String jar = System.getProperty("demo.jar");
        assertThat(jar).as("system property demo.jar (set by failsafe: run ./mvnw verify)").isNotNull();
        Path path = Path.of(jar);
        assertThat(path).as("the packaged demo jar").isRegularFile();
        return path;
    }

    /**
     * Starts {@code java <JVM_OPTIONS> -jar demo-app.jar --server.port=0 <args>} in the test's directory, output
     * and errors to {@code <name>.out} there, standard input from /dev/null.
     */
    Run start(String name, String... args) throws IOException {
        return start(name, Map.of(), args);
    }

    /** As {@link #start(String, String...)}, with {@code environment} added to this JVM's environment. */
    Run start(String name, Map<String, String> environment, String... args) throws IOException {
        return start(Path.of(System.getProperty("java.home"), "bin", "java"), name, environment, args);
    }

    /** As {@link #start(String, Map, String...)}, with the {@code java} launcher of another JDK. */
    Run start(Path java, String name, Map<String, String> environment, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(JVM_OPTIONS);
        command.add("-jar");
        command.add(jar().toString());
        command.add("--server.port=0");
        command.addAll(List.of(args));
        Path output = this.directory.resolve(name + ".out");
        ProcessBuilder builder = new ProcessBuilder(command).directory(this.directory.toFile())
            .redirectInput(new File("/dev/null"))
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        this.processes.add(process);
        return new Run(process, output);
    }

    /** Remembers a process (a worker, a detached copy) to kill at the end if it still runs. */
    long track(long pid) {
        this.pids.add(pid);
        return pid;
    }

    /** SIGKILL to every process started or tracked that still runs; waits for those this JVM started. */
    void killAll() throws InterruptedException {
        for (long pid : this.pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (Process process : this.processes) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        killAll();
    }

    /** The text of a file, "" if it does not exist (yet). */
    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            return "";
        }
    }

    /** Waits until {@code file} has a match of {@code pattern}; returns its group 1. */
    static String awaitMatch(Path file, Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher matcher = pattern.matcher(read(file));
            if (matcher.find()) {
                return matcher.group(1);
            }
            if (System.nanoTime() > deadline) {
                return fail("no match of /%s/ within %s in %s:%n%s", pattern, timeout, file, read(file));
            }
            Thread.sleep(100);
        }
    }

    /** Waits until process {@code pid} no longer runs (gone, or a zombie waiting to be reaped). */
    static void assertGone(long pid, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (Processes.isRunning(pid)) {
            if (System.nanoTime() > deadline) {
                fail("%s (pid %d) still runs %s later", what, pid, timeout);
            }
            Thread.sleep(50);
        }
    }

    /** Waits until no worker of the demo jar runs; kills those left after {@code timeout} and fails. */
    static void assertNoWorkerRuns(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Long> workers;
        while (!(workers = runningWorkers()).isEmpty()) {
            if (System.nanoTime() > deadline) {
                workers.forEach((pid) -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                fail("worker processes of the demo jar still run %s after the test: %s", timeout, workers);
            }
            Thread.sleep(100);
        }
    }

    /** The pids of the worker JVMs started from the demo jar that still run. */
    static List<Long> runningWorkers() throws IOException {
        return runningWorkers(jar().toAbsolutePath().toString());
    }

    /**
     * The pids of the worker JVMs started from {@code jar} that still run. Not counted: a process a JVM forks to run
     * another program (each JVM here runs JNA's {@code /sbin/ldconfig -p} through the JDK's jspawnhelper), which
     * shows the JVM's command line until its exec, a few milliseconds later. It runs one thread (a fork copies only
     * the thread that called it); a JVM runs a dozen from its first milliseconds on (as in the starter's DaemonModeIT).
     */
    static List<Long> runningWorkers(String jar) throws IOException {
        List<Long> workers = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (!name.matches("\\d+")) {
                    continue;
                }
                String cmdline;
                try {
                    cmdline = new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.UTF_8);
                }
                catch (IOException ex) {
                    continue; // exited meanwhile
                }
                long pid = Long.parseLong(name);
                if (cmdline.contains(WORKER_MAIN) && cmdline.contains(jar) && Processes.isRunning(pid)
                        && Processes.threads(pid) > 1) {
                    workers.add(pid);
                }
            }
        }
        return workers;
    }

    /**
     * Has the HTTP client open what it keeps open for the JVM's life once it is first used (its selector: an
     * epoll and an eventfd descriptor), so that {@code FdCount}'s baseline, taken after this, holds them.
     */
    static void warmUpHttp() throws IOException, InterruptedException {
        assertThat(get(1, "/")).as("nothing listens at port 1").isNull();
    }

    /** GET http://localhost:port/path; null when nothing listens (not yet, or no more). */
    static @Nullable HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (ConnectException ex) {
            return null;
        }
    }

    /** A started demo JVM and its output file. */
    record Run(Process process, Path output) {

        String text() {
            return read(this.output);
        }

        String await(Pattern pattern) throws InterruptedException {
            return awaitMatch(this.output, pattern, START_UP);
        }

        long workerPid() throws InterruptedException {
            return Long.parseLong(await(WORKER_PID));
        }

        int port() throws InterruptedException {
            return Integer.parseInt(await(PORT));
        }

        /** Waits for the exit; fails (with the output) if it still runs after {@code timeout}. */
        int awaitExit(Duration timeout) throws InterruptedException {
            if (!this.process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                fail("pid %d still runs %s later:%n%s", this.process.pid(), timeout, text());
            }
            return this.process.exitValue();
        }

    }

}
