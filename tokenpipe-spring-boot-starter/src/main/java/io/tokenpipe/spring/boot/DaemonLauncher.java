package io.tokenpipe.spring.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.tokenpipe.ChildProcess;
import io.tokenpipe.SystemdNotifier;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.TokenPipeEndStatus;
import io.tokenpipe.TokenPipePlatform;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

/**
 * Daemon mode's launcher, bitcoind's {@code -daemonwait} done right: starts the detached copy (a session of its
 * own, stdin from /dev/null, stdout and stderr to the log file, the write end of a token pipe at fd 3), waits
 * for its readiness token, and says how the JVM is to exit:
 * <ul>
 * <li>token 1: writes the pid file, tells systemd the copy is the main process when NOTIFY_SOCKET is set
 * ({@code MAINPID=} and {@code READY=1}), 0;</li>
 * <li>token 0, or end of stream (the copy died before its token; bitcoind exits 0 here because it takes end of
 * stream for a token), or any other token: 1, with the reason;</li>
 * <li>no token within the timeout: stops the copy (SIGTERM, SIGKILL after a grace period), 1.</li>
 * </ul>
 * If the launcher itself is stopped (Ctrl-C, SIGTERM) at any moment before the token is read, from the start of
 * the copy on, a shutdown hook stops the copy the same way, rather than leave it running with nobody told about
 * it. Plain Java: no application context exists here.
 */
final class DaemonLauncher {

    /** Exit code once the copy is ready. */
    static final int EXIT_READY = 0;

    /** Exit code when it failed, died, or was too slow. */
    static final int EXIT_FAILED = 1;

    private static final Path DEV_NULL = Path.of("/dev/null");

    /** Variables of the launcher's environment that the copy does not get. */
    private static final List<String> LAUNCHER_ONLY_VARIABLES = List.of(TokenPipeDaemonMode.WAIT_ENVIRONMENT_VARIABLE,
            TokenPipeReadinessNotifier.FD_ENVIRONMENT_VARIABLE);

    /** How long to wait for a copy that failed (token 0) or closed the pipe to exit, for its exit code. */
    private static final Duration EXIT_WAIT = Duration.ofSeconds(15);

    /** How long a copy stopped after a timeout gets to shut down before it gets SIGKILL. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final List<String> command;

    private final Path logFile;

    private final Duration timeout;

    private final @Nullable Path pidFile;

    private final Log logger;

    private final Map<String, String> environment;

    /**
     * A launcher.
     * @param command the copy's command line ({@link DaemonCommand#copy()})
     * @param logFile where the copy's output goes
     * @param timeout how long to wait for its token
     * @param pidFile where to write its pid once it is ready, or null
     * @param environment this process's environment (NOTIFY_SOCKET, WATCHDOG_PID)
     * @param logger where to report
     */
    DaemonLauncher(List<String> command, Path logFile, Duration timeout, @Nullable Path pidFile,
            Map<String, String> environment, Log logger) {
        this.command = List.copyOf(command);
        this.logFile = logFile.toAbsolutePath().normalize();
        this.timeout = timeout;
        this.pidFile = (pidFile != null) ? pidFile.toAbsolutePath().normalize() : null;
        this.environment = Map.copyOf(environment);
        this.logger = logger;
    }

    /**
     * Starts the copy and waits for its token.
     * @return {@link #EXIT_READY} once it is ready; {@link #EXIT_FAILED} otherwise, with the reason logged
     */
    int run() {
        Optional<TokenPipe> made = TokenPipe.make();
        if (made.isEmpty()) {
            this.logger.error("Daemon mode: cannot make a token pipe: " + TokenPipe.lastMakeFailure().orElse("unknown"));
            return EXIT_FAILED;
        }
        try (TokenPipe pipe = made.get(); TokenPipeEnd ready = pipe.takeReadEnd()) {
            // Ctrl-C or SIGTERM reaches only this launcher (the copy has its own session): unless the token has
            // been read by then, the copy is stopped. The hook is in place before the copy exists, and takes the
            // lock the start holds: a signal at any moment finds either no copy (none is started then) or one to stop.
            AtomicBoolean decided = new AtomicBoolean();
            AtomicReference<@Nullable ChildProcess> started = new AtomicReference<>();
            Object starting = new Object();
            Thread stopCopy = new Thread(() -> {
                synchronized (starting) {
                    ChildProcess copy = started.get();
                    if (decided.compareAndSet(false, true) && copy != null) {
                        // to standard error: the logging system shuts down in a hook of its own, at the same time
                        System.err.println(
                                "Daemon mode: stopped before pid " + copy.pid() + " was ready; " + stop(copy));
                    }
                }
            }, "tokenpipe-daemon-launcher-stop");
            try {
                Runtime.getRuntime().addShutdownHook(stopCopy);
            }
            catch (IllegalStateException shuttingDown) {
                return EXIT_FAILED; // stopped before anything was started
            }
            try {
                ChildProcess copy;
                synchronized (starting) {
                    if (decided.get()) {
                        return EXIT_FAILED; // the JVM is shutting down: no copy is started
                    }
                    try {
                        copy = copyBuilder(pipe.takeWriteEnd()).start();
                    }
                    catch (IOException | RuntimeException ex) {
                        this.logger.error("Daemon mode: could not start the detached copy: " + ex.getMessage());
                        return EXIT_FAILED;
                    }
                    started.set(copy);
                }
                this.logger.info("Daemon mode: started the application as pid " + copy.pid() + " (output to "
                        + this.logFile + "); waiting up to " + format(this.timeout) + " for its readiness token");
                int token = ready.tokenRead(this.timeout);
                if (!decided.compareAndSet(false, true)) {
                    return EXIT_FAILED; // the JVM is shutting down, and the hook stops the copy
                }
                if (token == 1) {
                    return ready(copy);
                }
                String reason = failure(token, ready.lastErrno(), copy);
                this.logger.error("Daemon mode: " + reason);
                notifySystemd("STATUS=" + SystemdStates.statusLine("Failed to start in the background: " + reason));
                return EXIT_FAILED;
            }
            finally {
                removeShutdownHook(stopCopy);
            }
        }
    }

    /** The copy: its own session, /dev/null in, the log file out, the pipe's write end at fd 3. */
    private ChildProcess.Builder copyBuilder(TokenPipeEnd writeEnd) {
        ChildProcess.Builder builder = ChildProcess.builder(this.command)
            .passEnd(writeEnd, DaemonCommand.NOTIFY_FD) // start() closes our copy of it
            .detached(true)
            .redirectInput(DEV_NULL) // like daemon(3): nothing of the launcher's terminal is held
            .redirectOutput(this.logFile)
            .redirectError(this.logFile);
        // The launcher's alone: with the switch, the copy's own children (a Boot application it starts) would
        // daemonize themselves; the launcher's notify descriptor is not the copy's (it has its own, at fd 3).
        for (String variable : LAUNCHER_ONLY_VARIABLES) {
            builder.removeEnvironment(variable);
        }
        if (Long.toString(ProcessHandle.current().pid()).equals(this.environment.get("WATCHDOG_PID"))) {
            // systemd named this launcher; the copy takes over as the main process (MAINPID=), so the
            // watchdog becomes the copy's job: unset, WATCHDOG_PID means "whoever gets the variables"
            builder.environment("WATCHDOG_PID", "");
        }
        return builder;
    }

    private int ready(ChildProcess copy) {
        if (this.pidFile != null) {
            try {
                writePidFile(this.pidFile, copy.pid());
            }
            catch (IOException | RuntimeException ex) {
                this.logger.error("Daemon mode: pid " + copy.pid() + " is ready, but its pid file " + this.pidFile
                        + " cannot be written (" + ex + "); " + stop(copy));
                return EXIT_FAILED;
            }
            // A copy that exits right after its token may have run its shutdown hook, which removes the pid file
            // if it holds its pid, before the file was there: then nobody would remove it. Looked at after the
            // write, the exit is seen whatever the order.
            Optional<Integer> exited = exitedAlready(copy);
            if (exited.isPresent()) {
                removePidFileOf(this.pidFile, copy.pid());
                this.logger.error("Daemon mode: pid " + copy.pid() + " was ready, but exited with code " + exited.get()
                        + " right after, so it does not run in the background (no pid file left at " + this.pidFile
                        + "); its output: " + this.logFile);
                return EXIT_FAILED;
            }
        }
        // With NotifyAccess=main only the main process (this launcher) may speak: it hands that role to the copy.
        notifySystemd("MAINPID=" + copy.pid() + "\nREADY=1");
        this.logger.info("Daemon mode: the application is ready in the background, pid " + copy.pid()
                + ((this.pidFile != null) ? " (written to " + this.pidFile + ")" : ""));
        return EXIT_READY;
    }

    /** Writes the pid to a temporary file beside {@code pidFile} and moves it into place: never half written. */
    static void writePidFile(Path pidFile, long pid) throws IOException {
        Path temporary = Files.createTempFile(pidFile.getParent(), ".tokenpipe-pid", ".tmp");
        try {
            Files.writeString(temporary, pid + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(temporary, pidFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            catch (AtomicMoveNotSupportedException ex) {
                Files.move(temporary, pidFile, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * The copy's exit code if it has exited: from its reaper, or on Linux from /proc while it is still a zombie
     * (the reaper may not have run yet; an unreaped child's pid cannot be reused, so the entry is the copy's).
     */
    private static Optional<Integer> exitedAlready(ChildProcess copy) {
        Path stat = Path.of("/proc", Long.toString(copy.pid()), "stat");
        boolean zombieOrGone;
        try {
            String text = Files.readString(stat, StandardCharsets.US_ASCII);
            char state = text.charAt(text.lastIndexOf(')') + 2);
            zombieOrGone = state == 'Z' || state == 'X';
        }
        catch (IOException | RuntimeException ex) {
            zombieOrGone = Files.isDirectory(Path.of("/proc", "self")); // no entry on Linux: reaped
        }
        if (!zombieOrGone && copy.isAlive()) {
            return Optional.empty();
        }
        return Optional.of(awaitExit(copy, EXIT_WAIT).orElse(-1));
    }

    /** Deletes the pid file if it holds {@code pid}, as the copy's own shutdown hook would have. */
    private static void removePidFileOf(Path pidFile, long pid) {
        try {
            if (Files.readString(pidFile, StandardCharsets.US_ASCII).strip().equals(Long.toString(pid))) {
                Files.delete(pidFile);
            }
        }
        catch (IOException | RuntimeException ex) {
            // gone already, or replaced by another pid: not ours to remove
        }
    }

    private void notifySystemd(String state) {
        SystemdNotifier.fromEnvironment(this.environment).ifPresent((systemd) -> {
            SystemdNotifier.Result result = systemd.send(state);
            if (!result.isSent()) {
                this.logger.warn("Daemon mode: could not tell systemd (" + state.replace('\n', ' ') + "): " + result);
            }
        });
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (IllegalStateException shuttingDown) {
            // it runs now, and does nothing once the token was read
        }
    }

    private String failure(int token, int errno, ChildProcess copy) {
        long pid = copy.pid();
        String logHint = "; its output: " + this.logFile;
        if (token == 0) {
            Optional<Integer> code = awaitExit(copy, EXIT_WAIT);
            return "pid " + pid + " failed to start (token 0)" + code.map((c) -> " and exited with code " + c).orElse("")
                    + reasonFrom(this.logFile) + logHint;
        }
        if (token == TokenPipeEnd.TS_EOS) {
            Optional<Integer> code = awaitExit(copy, EXIT_WAIT);
            if (code.isPresent()) {
                return "pid " + pid + " exited with code " + code.get() + " before it was ready"
                        + reasonFrom(this.logFile) + logHint;
            }
            return "pid " + pid + " closed its readiness descriptor without a token; " + stop(copy) + logHint;
        }
        if (token == TokenPipeEnd.TS_TIMEOUT) {
            return "pid " + pid + " was not ready within " + format(this.timeout) + " (tokenpipe.daemon.timeout); "
                    + stop(copy) + logHint;
        }
        if (token >= 0) {
            return "pid " + pid + " sent token " + token + " instead of 1 (ready); " + stop(copy) + logHint;
        }
        return "reading the readiness pipe of pid " + pid + " failed: "
                + TokenPipeEndStatus.of(token).map(Enum::name).orElse(String.valueOf(token)) + " "
                + TokenPipePlatform.describeErrno(errno) + "; " + stop(copy) + logHint;
    }

    /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
    private static String stop(ChildProcess copy) {
        copy.destroy();
        Optional<Integer> code = awaitExit(copy, STOP_GRACE);
        if (code.isEmpty()) {
            copy.destroyForcibly();
            code = awaitExit(copy, EXIT_WAIT);
        }
        return "stopped it" + code.map((c) -> " (exit code " + c + ")").orElse(" (SIGKILL sent; it has not exited yet)");
    }

    private static Optional<Integer> awaitExit(ChildProcess copy, Duration timeout) {
        try {
            if (copy.waitFor(timeout)) {
                return Optional.of(copy.exitValue().getAsInt());
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    /**
     * A duration as people write it in properties.
     * @param duration the duration
     * @return "2m" or "1m30s" for whole minutes and seconds, "30s", "1.5s", "250ms", "0s"
     */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return (millis < 1000) ? millis + "ms"
                    : String.format(Locale.ROOT, "%.3fs", millis / 1000.0).replaceAll("0+s$", "s");
        }
        long seconds = millis / 1000;
        if (seconds >= 60) {
            return (seconds / 60) + "m" + ((seconds % 60 != 0) ? (seconds % 60) + "s" : "");
        }
        return seconds + "s";
    }

    /**
     * Why the copy failed, from its output: the first line of the Description of its last failure report
     * ("APPLICATION FAILED TO START"), or where no failure analyzer wrote one, the last "Caused by:" of the stack
     * trace Boot logged ("Application run failed").
     * @param log the copy's output
     * @return ": " and that line, or "" when there is none (or the output went to /dev/null)
     */
    static String reasonFrom(Path log) {
        List<String> lines;
        try {
            if (!Files.isRegularFile(log)) {
                return "";
            }
            lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        }
        catch (IOException | RuntimeException ex) {
            return "";
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).strip().equals("Description:")) {
                for (int j = i + 1; j < lines.size(); j++) {
                    String line = lines.get(j).strip();
                    if (line.equals("Action:")) {
                        return "";
                    }
                    if (!line.isEmpty()) {
                        return ": " + line;
                    }
                }
                return "";
            }
        }
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i).strip();
            if (line.startsWith("Caused by: ")) {
                return ": " + line.substring("Caused by: ".length());
            }
        }
        return "";
    }

}
