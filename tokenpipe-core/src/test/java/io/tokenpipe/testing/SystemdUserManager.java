package io.tokenpipe.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A real systemd service manager for tests: {@code systemd --user} from the Debian package {@code systemd}, run
 * as root in a cgroup and a mount namespace of its own (systemd_user_manager.sh beside this class says how), so
 * that units with {@code Type=notify}, {@code WatchdogSec=} and {@code NotifyAccess=main} are judged by systemd
 * itself. PID 1 here is not systemd; this needs root (cgroups, unshare, mount), which the CI machine has.
 */
public final class SystemdUserManager implements AutoCloseable {
    private static final Path SYSTEMD = Path.of("/lib/systemd/systemd");
    private static final List<String> HIERARCHIES = List.of("unified", "systemd", "pids", "memory", "cpu");
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    private final Process manager;
    private final Path runtimeDirectory;
    private final Path log;
    private final String cgroup;

    private SystemdUserManager(Path workDirectory) throws IOException {
        this.runtimeDirectory = workDirectory.resolve("xdg-runtime");
        this.log = workDirectory.resolve("systemd-user-manager.log");
        this.cgroup = "tokenpipe-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path script = workDirectory.resolve("systemd_user_manager.sh");
        try (InputStream source = SystemdUserManager.class.getResourceAsStream("systemd_user_manager.sh")) {
            Files.write(script, source.readAllBytes());
        }
        this.manager = new ProcessBuilder("sh", script.toString(), runtimeDirectory.toString(), cgroup)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    /**
     * Why no manager can be started here, or empty when one can: it needs root, systemd's binary, unshare,
     * nsenter and the cgroup hierarchies systemd manages.
     */
    public static Optional<String> unavailableReason() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("a systemd manager for tests needs root (cgroups, unshare, mount); this is "
                    + System.getProperty("user.name"));
        }
        if (!Files.isExecutable(SYSTEMD)) {
            return Optional.of(SYSTEMD + " is missing: install the Debian package systemd (.ci/run does)");
        }
        for (String tool : List.of("/usr/bin/unshare", "/usr/bin/nsenter")) {
            if (!Files.isExecutable(Path.of(tool))) {
                return Optional.of(tool + " is missing (Debian package util-linux)");
            }
        }
        if (!Files.isRegularFile(Path.of("/sys/fs/cgroup/unified/cgroup.procs"))
                && !Files.isRegularFile(Path.of("/sys/fs/cgroup/cgroup.procs"))) {
            return Optional.of("no cgroup2 hierarchy at /sys/fs/cgroup/unified or /sys/fs/cgroup");
        }
        return Optional.empty();
    }

    /** Starts a manager and waits until it is running; its files go to {@code workDirectory}. */
    public static SystemdUserManager start(Path workDirectory) throws IOException, InterruptedException {
        SystemdUserManager started = new SystemdUserManager(workDirectory);
        try {
            started.awaitRunning();
            return started;
        } catch (RuntimeException | Error | InterruptedException e) {
            started.close();
            throw e;
        }
    }

    private void awaitRunning() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + HANG_GUARD.toNanos();
        while (true) {
            if (manager.isAlive()) {
                Result state = systemctl("is-system-running");
                if (state.output().strip().equals("running") || state.output().strip().equals("degraded")) {
                    return;
                }
            }
            if (!manager.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("systemd --user did not come up: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
    }

    /** What a command printed (stdout and stderr) and its exit code. */
    public record Result(int exitCode, String output) {
    }

    /** Runs {@code command} in the manager's mount namespace, with its XDG_RUNTIME_DIR; waits up to 60 s. */
    public Result run(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(manager.pid()), "-m", "env",
                "XDG_RUNTIME_DIR=" + runtimeDirectory));
        full.addAll(command);
        Path output = Files.createTempFile(runtimeDirectory.getParent(), "systemd-command", ".out");
        try {
            Process process = new ProcessBuilder(full).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " hung: " + Files.readString(output));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** {@code systemctl --user args}. */
    public Result systemctl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("systemctl", "--user", "--no-pager"));
        command.addAll(List.of(args));
        return run(command);
    }

    /**
     * {@code systemd-run --user --unit=unit -p property... -- command}: starts a transient service and, as
     * systemd-run does without {@code --no-block}, returns once its start job is done (for Type=notify: after
     * READY=1, or once it failed).
     */
    public Result startService(String unit, List<String> properties, List<String> command)
            throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("systemd-run", "--user", "--quiet", "--unit=" + unit));
        for (String property : properties) {
            full.add("--property=" + property);
        }
        full.add("--");
        full.addAll(command);
        return run(full);
    }

    /** The unit's properties as {@code systemctl show} gives them. */
    public Map<String, String> show(String unit, String... properties) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("show", unit));
        for (String property : properties) {
            args.add("--property=" + property);
        }
        Result result = systemctl(args.toArray(String[]::new));
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : result.output().split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                values.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return values;
    }

    /** The unit's properties once {@code condition} holds for them; fails after a 60 s hang guard. */
    public Map<String, String> awaitShow(String unit, Predicate<Map<String, String>> condition, String... properties)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + HANG_GUARD.toNanos();
        Map<String, String> values = show(unit, properties);
        while (!condition.test(values)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("unit " + unit + " never reached the expected state: " + values
                        + "; manager log: " + Files.readString(log));
            }
            Thread.sleep(20);
            values = show(unit, properties);
        }
        return values;
    }

    /** What the manager itself printed. */
    public String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /**
     * Stops the manager (SIGTERM: it stops its units and exits; SIGKILL after 30 s) and removes its cgroups. A
     * unit's process still in them would be reported here.
     */
    @Override
    public void close() {
        manager.destroy();
        try {
            if (!manager.waitFor(30, TimeUnit.SECONDS)) {
                manager.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String hierarchy : HIERARCHIES) {
            removeCgroupTree(Path.of("/sys/fs/cgroup", hierarchy, cgroup));
        }
    }

    private static void removeCgroupTree(Path root) {
        if (!Files.isDirectory(root)) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Stream<Path> tree = Files.walk(root)) {
                // cgroup directories are removed with rmdir, deepest first; their interface files go with them
                for (Path directory : tree.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(directory);
                }
                return;
            } catch (IOException busy) { // a process of a unit that has not been reaped yet
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException("cannot remove cgroup " + root, busy);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
