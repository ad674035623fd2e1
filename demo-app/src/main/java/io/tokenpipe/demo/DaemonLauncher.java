package io.tokenpipe.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import io.tokenpipe.ChildProcess;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.TokenPipeEndStatus;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * {@code --demo.daemon-wait=true}, the Java counterpart of bitcoind {@code -daemonwait}: starts a detached copy
 * of this application (a new session, input from /dev/null, output to {@code demo.log-file}) with the write end
 * of a token pipe at its fd 3 and {@code --tokenpipe.notify.fd=3} (and the notifier on, with tokens 1 and 0,
 * whatever the launcher was given), so that the starter's readiness notifier writes 1 once the copy is ready or
 * 0 if its start-up fails. Then it waits for that token and exits:
 * <ul>
 * <li>token 1: prints "demo-app started, pid N" and exits 0; the copy keeps running;</li>
 * <li>token 0: prints the reason (from the copy's failure report in its log) and exits 1;</li>
 * <li>end of stream, the copy died without a token: prints its exit code and exits 1. bitcoind exits 0 here,
 * because it takes end of stream for a token; this launcher never does;</li>
 * <li>no token within {@code demo.daemon-wait-timeout}: stops the copy (SIGTERM, then SIGKILL) and exits 1;</li>
 * <li>the launcher itself is stopped while it waits (Ctrl-C, SIGTERM): stops the copy the same way.</li>
 * </ul>
 * It runs in {@code main} before any Spring context: plain Java with Spring's binder for the {@code demo.*}
 * properties from the command line, system properties and environment variables.
 */
final class DaemonLauncher {

    /** The descriptor at which the detached copy gets the pipe's write end. */
    static final int NOTIFY_FD = 3;

    /** Exit code once the copy is ready. */
    static final int EXIT_READY = 0;

    /** Exit code when it failed, died, or was too slow. */
    static final int EXIT_FAILED = 1;

    private static final String PREFIX = "demo-app launcher: ";

    private static final Path DEV_NULL = Path.of("/dev/null");

    /** How long to wait for a copy that failed (token 0) or closed the pipe to exit, for its exit code. */
    private static final Duration EXIT_WAIT = Duration.ofSeconds(15);

    /** How long a copy stopped after a timeout gets to stop its own worker before it gets SIGKILL. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final DemoProperties properties;

    private final List<String> args;

    private final List<String> jvmOptions;

    private final JavaCommand java;

    private final PrintStream out;

    DaemonLauncher(DemoProperties properties, List<String> args, List<String> jvmOptions, JavaCommand java,
            PrintStream out) {
        this.properties = properties;
        this.args = List.copyOf(args);
        this.jvmOptions = List.copyOf(jvmOptions);
        this.java = java;
        this.out = out;
    }

    /** A launcher for this JVM: its java, JVM options and class path (or executable jar). */
    static DaemonLauncher forThisJvm(DemoProperties properties, String[] args) {
        return new DaemonLauncher(properties, List.of(args), ManagementFactory.getRuntimeMXBean().getInputArguments(),
                JavaCommand.ofThisJvm(), System.out);
    }

    /**
     * Binds the settings, starts the detached copy and waits for its token.
     * @return the exit code for the JVM: {@link #EXIT_READY} once the copy is ready, {@link #EXIT_FAILED} with the
     * reason printed otherwise (also for a setting that cannot be bound)
     */
    static int launch(String[] args) {
        DemoProperties properties;
        try {
            properties = bind(args);
        }
        catch (BindException ex) {
            System.out.println(PREFIX + describe(ex));
            return EXIT_FAILED;
        }
        return forThisJvm(properties, args).run();
    }

    /** "invalid demo.worker.timeout=-1s: must be zero or more, not PT-1S". */
    static String describe(BindException ex) {
        ConfigurationProperty property = ex.getProperty();
        String what = (property != null) ? property.getName() + "=" + property.getValue() : ex.getName().toString();
        return "invalid " + what + ": " + NestedExceptionUtils.getMostSpecificCause(ex).getMessage();
    }

    /**
     * Whether {@code demo.daemon-wait} is true, read from the command line, Java system properties and
     * environment variables ({@code application.properties} is not read: no context runs here).
     * @return false also when the value cannot be bound: the application then reports it as usual
     */
    static boolean requested(String[] args) {
        try {
            return Binder.get(environment(args)).bind("demo.daemon-wait", Boolean.class).orElse(false);
        }
        catch (BindException ex) {
            return false;
        }
    }

    /**
     * Binds {@code demo.*} from the same sources as {@link #requested}.
     * @return the settings, defaults where nothing is set
     * @throws BindException naming the property and value when one cannot be bound
     */
    static DemoProperties bind(String[] args) {
        return Binder.get(environment(args)).bindOrCreate("demo", DemoProperties.class);
    }

    private static StandardEnvironment environment(String[] args) {
        StandardEnvironment environment = new StandardEnvironment();
        if (args.length > 0) {
            environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
        }
        return environment;
    }

    /**
     * What the copy must be told, whatever it was given: no daemon-wait of its own, and readiness notification on,
     * at fd 3, with the tokens this launcher reads. Command-line arguments win over the system properties and
     * environment variables ({@code TOKENPIPE_NOTIFY_READY_TOKEN=0}) that the copy inherits.
     */
    private static final List<String> DAEMON_SETTINGS = List.of("--demo.daemon-wait=false",
            "--tokenpipe.notify.fd=" + NOTIFY_FD, "--tokenpipe.enabled=true", "--tokenpipe.notify.ready-token=1",
            "--tokenpipe.notify.failure-token=0");

    /**
     * The detached copy's arguments: these arguments without the settings of {@link #DAEMON_SETTINGS} (given
     * twice, an option's values would be joined, "0,1"), then those settings.
     */
    static List<String> daemonArguments(List<String> args) {
        List<String> overridden = DAEMON_SETTINGS.stream().map(DaemonLauncher::optionName).toList();
        List<String> result = new ArrayList<>();
        for (String arg : args) {
            if (!overridden.contains(optionName(arg))) {
                result.add(arg);
            }
        }
        result.addAll(DAEMON_SETTINGS);
        return result;
    }

    /** "demo.daemonwait" for --demo.daemon-wait=true, --demo.daemonWait, --demo.daemon_wait; "" for non-options. */
    private static String optionName(String arg) {
        if (!arg.startsWith("--")) {
            return "";
        }
        int equals = arg.indexOf('=');
        String name = (equals >= 0) ? arg.substring(2, equals) : arg.substring(2);
        return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

    /**
     * Starts the detached copy and waits for its token.
     * @return {@link #EXIT_READY} once it is ready; {@link #EXIT_FAILED} otherwise, with the reason printed
     */
    int run() {
        Path log = Path.of(this.properties.getLogFile()).toAbsolutePath().normalize();
        Duration wait = this.properties.effectiveDaemonWaitTimeout();
        List<String> command = this.java.application(this.jvmOptions, DemoApplication.class.getName(),
                daemonArguments(this.args));
        Optional<TokenPipe> made = TokenPipe.make();
        if (made.isEmpty()) {
            this.out.println(PREFIX + "cannot make a token pipe: " + TokenPipe.lastMakeFailure().orElse("unknown"));
            return EXIT_FAILED;
        }
        try (TokenPipe pipe = made.get(); TokenPipeEnd ready = pipe.takeReadEnd()) {
            this.out.println(PREFIX + "starting a detached copy of the application, its output going to " + log);
            ChildProcess daemon;
            try {
                daemon = ChildProcess.builder(command)
                    .passEnd(pipe.takeWriteEnd(), NOTIFY_FD) // start() closes our copy: its exit means end of stream
                    .detached(true)
                    .redirectInput(DEV_NULL) // like a daemon(3): it holds on to nothing of the launcher's terminal
                    .redirectOutput(log)
                    .redirectError(log)
                    .start();
            }
            catch (IOException | RuntimeException ex) {
                this.out.println(PREFIX + "could not start the application: " + ex.getMessage());
                return EXIT_FAILED;
            }
            this.out.println(PREFIX + "started pid " + daemon.pid() + ", waiting up to " + Durations.format(wait)
                    + " for its readiness token (tokenpipe.notify.fd=" + NOTIFY_FD + ")");
            // Ctrl-C or SIGTERM reaches only this launcher (the copy has its own session): unless the token has
            // been read by then, the copy is stopped, rather than left running with nobody told about it.
            AtomicBoolean tokenRead = new AtomicBoolean();
            Thread stopCopy = new Thread(() -> {
                if (tokenRead.compareAndSet(false, true)) {
                    this.out.println(PREFIX + "stopped before demo-app pid " + daemon.pid() + " signalled readiness; "
                            + stop(daemon));
                }
            }, "demo-app-launcher-stop");
            Runtime.getRuntime().addShutdownHook(stopCopy);
            try {
                int token = ready.tokenRead(wait);
                if (!tokenRead.compareAndSet(false, true)) {
                    return EXIT_FAILED; // the JVM is shutting down and the hook stops the copy
                }
                if (token == 1) {
                    this.out.println("demo-app started, pid " + daemon.pid());
                    return EXIT_READY;
                }
                this.out.println(PREFIX + failure(token, ready.lastErrno(), daemon, wait, log));
                return EXIT_FAILED;
            }
            finally {
                removeShutdownHook(stopCopy);
            }
        }
    }

    private static void removeShutdownHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (IllegalStateException shuttingDown) {
            // it runs now, and does nothing once the token was read
        }
    }

    private String failure(int token, int errno, ChildProcess daemon, Duration wait, Path log) {
        long pid = daemon.pid();
        String logHint = "; its log: " + log;
        if (token == 0) {
            Optional<Integer> code = awaitExit(daemon);
            return "demo-app pid " + pid + " failed to start (token 0)"
                    + code.map(c -> " and exited with code " + c).orElse("") + reasonFrom(log) + logHint;
        }
        if (token == TokenPipeEnd.TS_EOS) {
            Optional<Integer> code = awaitExit(daemon);
            if (code.isPresent()) {
                return "demo-app pid " + pid + " exited with code " + code.get() + " before signalling readiness"
                        + reasonFrom(log) + logHint;
            }
            return "demo-app pid " + pid + " closed its readiness descriptor without a token; " + stop(daemon)
                    + logHint;
        }
        if (token == TokenPipeEnd.TS_TIMEOUT) {
            return "demo-app pid " + pid + " did not signal readiness within " + Durations.format(wait) + "; "
                    + stop(daemon) + logHint;
        }
        if (token >= 0) {
            return "demo-app pid " + pid + " sent token " + token + " instead of 1 (ready); " + stop(daemon) + logHint;
        }
        return "reading the readiness pipe of demo-app pid " + pid + " failed: "
                + TokenPipeEndStatus.of(token).map(Enum::name).orElse(String.valueOf(token)) + " (errno " + errno
                + "); " + stop(daemon) + logHint;
    }

    /** SIGTERM (it then stops its worker), SIGKILL if it has not exited within the grace period. */
    private static String stop(ChildProcess daemon) {
        daemon.destroy();
        Optional<Integer> code = awaitExit(daemon, STOP_GRACE);
        if (code.isEmpty()) {
            daemon.destroyForcibly(); // its worker exits too: its lifeline closes with the copy
            code = awaitExit(daemon, EXIT_WAIT);
        }
        return "stopped it" + code.map(c -> " (exit code " + c + ")").orElse(" (SIGKILL sent; it has not exited yet)");
    }

    private static Optional<Integer> awaitExit(ChildProcess daemon) {
        return awaitExit(daemon, EXIT_WAIT);
    }

    private static Optional<Integer> awaitExit(ChildProcess daemon, Duration timeout) {
        try {
            if (daemon.waitFor(timeout)) {
                return Optional.of(daemon.exitValue().getAsInt());
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }

    /** ": <first line of the Description>" of the last failure report in the log, or "" if there is none. */
    static String reasonFrom(Path log) {
        List<String> lines;
        try {
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
        return "";
    }

}
