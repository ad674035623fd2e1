package io.tokenpipe.spring.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import io.tokenpipe.TokenPipePlatform;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Daemon mode for any application with the starter: with {@code tokenpipe.daemon.wait=true} (or the environment
 * variable {@code TOKENPIPE_DAEMON_WAIT=true}) the JVM that was launched never starts the application itself. As
 * soon as its environment is prepared (application properties read, logging set up, no context yet) it starts a
 * detached copy of itself ({@link DaemonCommand}), waits for that copy's readiness token and exits: 0 once the
 * copy is ready, 1 when it fails, dies first or is not ready within {@code tokenpipe.daemon.timeout}
 * ({@link DaemonLauncher}). The copy is an ordinary run of the application whose
 * {@link TokenPipeReadinessNotifier} writes the token.
 *
 * <p>The copy is marked by its launcher ({@code -Dtokenpipe.daemon.copy=true}, read as a system property, not
 * through the environment) and never launches again: it puts the settings its launcher gave it above every other
 * property source, so that a switch in SPRING_APPLICATION_JSON or elsewhere cannot turn daemon mode back on.
 *
 * <p>A launcher given a notify descriptor of its own ({@code tokenpipe.notify.fd}, {@code TOKENPIPE_NOTIFY_FD})
 * writes its ready token there when it exits 0, its failure token when it exits 1: through a
 * {@link TokenPipeReadinessNotifier} of its own, with the same settings and checks as any application's.
 *
 * <p>A JVM with {@code tokenpipe.daemon.pid-file} set removes that file when it exits, if it still holds this
 * JVM's pid: the copy cleans up the file its launcher wrote (waiting for the launcher, if it is still at it).
 *
 * <p>Acts once per JVM and only for the application itself (not in a Spring Cloud bootstrap context, not during
 * AOT processing). Registered in {@code META-INF/spring.factories}; applications do not create it.
 */
public final class TokenPipeDaemonMode implements SmartApplicationListener {

    static final String WAIT_PROPERTY = "tokenpipe.daemon.wait";

    static final String WAIT_ENVIRONMENT_VARIABLE = "TOKENPIPE_DAEMON_WAIT";

    static final String TIMEOUT_PROPERTY = "tokenpipe.daemon.timeout";

    static final String LOG_FILE_PROPERTY = "tokenpipe.daemon.log-file";

    static final String PID_FILE_PROPERTY = "tokenpipe.daemon.pid-file";

    private static final Log logger = LogFactory.getLog(TokenPipeDaemonMode.class);

    /** Daemon mode and the pid file's clean-up are process-wide: only the first application in the JVM acts. */
    private static final AtomicBoolean acted = new AtomicBoolean();

    /** Whether an application of this JVM became ready (its readiness token, if any, comes after). */
    private static volatile boolean ready;

    /** How long a copy that exits after its token waits for its launcher to finish, for the pid file it writes. */
    private static final Duration LAUNCHER_WAIT = Duration.ofSeconds(10);

    /** Created by Spring Boot from {@code META-INF/spring.factories}. */
    public TokenPipeDaemonMode() {
    }

    /** Right after logging is set up, which comes after the application's properties are read. */
    @Override
    public int getOrder() {
        return LoggingApplicationListener.DEFAULT_ORDER + 1;
    }

    @Override
    public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
        return ApplicationEnvironmentPreparedEvent.class.isAssignableFrom(eventType)
                || AvailabilityChangeEvent.class.isAssignableFrom(eventType);
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof AvailabilityChangeEvent<?> change
                && change.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
            ready = true; // before the notifier (ordered after this listener) writes the token
        }
        else if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            ConfigurableEnvironment environment = prepared.getEnvironment();
            // Unlike the notifiers, daemon mode acts at the first application of the JVM also when that is the parent
            // a SpringApplicationBuilder starts first: the copy runs all of main again, and the launcher must never
            // run an application context, not even the parent's.
            if (ApplicationContexts.notTheApplication(environment) != null) {
                return;
            }
            boolean copy = DaemonCommand.isCopy();
            if (copy) {
                // The launcher's settings for its copy win over every source the copy reads: otherwise the switch
                // in SPRING_APPLICATION_JSON (inherited) would make the copy launch a copy of its own, and so on.
                environment.getPropertySources().addFirst(DaemonCommand.copySettingsSource());
            }
            TokenPipeProperties.Daemon daemon = PropertyOrigins.anySetUnder(environment, "tokenpipe.daemon")
                    ? Binder.get(environment).bindOrCreate("tokenpipe.daemon", TokenPipeProperties.Daemon.class)
                    : new TokenPipeProperties.Daemon();
            boolean wait = !copy && (daemon.isWait() || isTrue(System.getenv(WAIT_ENVIRONMENT_VARIABLE))
                    && !environment.containsProperty(WAIT_PROPERTY));
            if (!acted.compareAndSet(false, true)) {
                return;
            }
            if (wait) {
                TokenPipeReadinessNotifier parent = notifierOfTheLaunchersParent(prepared);
                int code;
                try {
                    code = launch(environment, daemon, prepared.getArgs(),
                            prepared.getSpringApplication().getMainApplicationClass());
                }
                catch (RuntimeException ex) {
                    parent.onApplicationEvent(failed(prepared, ex));
                    throw ex;
                }
                if (code == DaemonLauncher.EXIT_READY) {
                    parent.launcherReady();
                }
                else {
                    parent.onApplicationEvent(failed(prepared,
                            new IllegalStateException("the detached copy did not become ready")));
                }
                System.exit(code);
            }
            else if (daemon.getPidFile() != null && !daemon.getPidFile().isBlank()) {
                removeOwnPidFileAtExit(Path.of(daemon.getPidFile()).toAbsolutePath());
            }
        }
    }

    /**
     * The readiness notification of the launcher itself, for a parent that waits for its token (tokenpipe.notify.fd
     * or TOKENPIPE_NOTIFY_FD, tokens from tokenpipe.notify.*): the notifier every application has, given this run's
     * environment now, since the launcher never gets as far as the registered one, then told the launch's outcome.
     * It checks and adopts the descriptor as for any application (a bad one fails start-up, naming the property).
     * The launcher speaks for all of main, also where a SpringApplicationBuilder's parent is the first application
     * (the notifier leaves the descriptor to the child there, and tells that by the builder's frames on the
     * calling thread): so it adopts on a thread of its own, without those frames.
     */
    private static TokenPipeReadinessNotifier notifierOfTheLaunchersParent(
            ApplicationEnvironmentPreparedEvent prepared) {
        TokenPipeReadinessNotifier notifier = new TokenPipeReadinessNotifier();
        AtomicReference<@Nullable RuntimeException> failure = new AtomicReference<>();
        Thread adopt = new Thread(() -> {
            try {
                notifier.onApplicationEvent(prepared);
            }
            catch (RuntimeException ex) {
                failure.set(ex);
            }
        }, "tokenpipe-daemon-launcher-notify");
        adopt.start();
        boolean interrupted = false;
        while (true) {
            try {
                adopt.join();
                break;
            }
            catch (InterruptedException ex) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        RuntimeException ex = failure.get();
        if (ex != null) {
            throw ex;
        }
        return notifier;
    }

    private static ApplicationFailedEvent failed(ApplicationEnvironmentPreparedEvent prepared, Throwable why) {
        return new ApplicationFailedEvent(prepared.getSpringApplication(), prepared.getArgs(), null, why);
    }

    /**
     * Boot's relaxed binding already maps TOKENPIPE_DAEMON_WAIT to tokenpipe.daemon.wait, except when the
     * application sets an environment prefix: the variable is this feature's own name, so it is read anyway.
     */
    private static boolean isTrue(@Nullable String value) {
        return value != null && value.strip().equalsIgnoreCase("true");
    }

    private static int launch(ConfigurableEnvironment environment, TokenPipeProperties.Daemon daemon, String[] args,
            @Nullable Class<?> mainApplicationClass) {
        Binder binder = Binder.get(environment);
        if (!binder.bind("tokenpipe.enabled", Boolean.class).orElse(true)) {
            throw InvalidTokenPipePropertyException.of(WAIT_PROPERTY, true,
                    "needs tokenpipe.enabled=true: the detached copy tells its launcher through the starter's"
                            + " readiness notification",
                    "Remove tokenpipe.enabled=false, or unset " + WAIT_PROPERTY + " and " + WAIT_ENVIRONMENT_VARIABLE
                            + " to start in the foreground.",
                    environment);
        }
        Duration timeout = daemon.getTimeout();
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw InvalidTokenPipePropertyException.of(TIMEOUT_PROPERTY, timeout, "must be more than zero",
                    "Set " + TIMEOUT_PROPERTY + " to how long the copy may take to be ready (the default is 60s).",
                    environment);
        }
        Path logFile = existingParent(LOG_FILE_PROPERTY, daemon.getLogFile(), environment);
        Path pidFile = (daemon.getPidFile() != null) ? existingParent(PID_FILE_PROPERTY, daemon.getPidFile(), environment)
                : null;
        if (!TokenPipePlatform.isAvailable()) {
            throw InvalidTokenPipePropertyException.of(WAIT_PROPERTY, true,
                    "needs token pipes, but they are not available in this JVM: "
                            + TokenPipePlatform.unavailableReason().orElse("unknown"),
                    "Start the application in the foreground (unset " + WAIT_PROPERTY + " and "
                            + WAIT_ENVIRONMENT_VARIABLE + "), or make the native layer load (see the platforms page"
                            + " of the tokenpipe documentation).",
                    environment);
        }
        DaemonCommand.refuseFixedPorts(environment);
        DaemonCommand command;
        try {
            command = DaemonCommand.ofThisJvm(args, mainApplicationClass);
        }
        catch (IllegalStateException ex) {
            throw InvalidTokenPipePropertyException.of(WAIT_PROPERTY, true, ex.getMessage(),
                    "Start the application with java -jar or java -cp to use daemon mode.", environment);
        }
        Map<String, String> systemdEnvironment = binder.bind("tokenpipe.notify.systemd.enabled", Boolean.class)
            .orElse(true) ? System.getenv() : Map.of();
        return new DaemonLauncher(command.copy(), logFile, timeout, pidFile, systemdEnvironment, logger).run();
    }

    private static Path existingParent(String property, String value, ConfigurableEnvironment environment) {
        if (value.isBlank()) {
            throw InvalidTokenPipePropertyException.of(property, value, "must be a file name",
                    "Set " + property + " to a file, or remove it to use the default.", environment);
        }
        Path path = Path.of(value).toAbsolutePath().normalize();
        Path parent = path.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw InvalidTokenPipePropertyException.of(property, value,
                    "its directory " + parent + " does not exist",
                    "Create the directory, or set " + property + " to a file in an existing one.", environment);
        }
        return path;
    }

    /**
     * Deletes {@code pidFile} when this JVM exits, if the file still holds this JVM's pid. Daemon mode's copy
     * writes its token before its launcher writes the file: a copy that exits right after its token may find no
     * file yet. So a copy that became ready and whose launcher (its parent, which waits for the token when this
     * runs) is still its parent waits for the launcher to finish (at most {@link #LAUNCHER_WAIT}) and looks again.
     */
    private static void removeOwnPidFileAtExit(Path pidFile) {
        String pid = Long.toString(ProcessHandle.current().pid());
        long launcher = DaemonCommand.isCopy() ? ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L)
                : -1;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!removeIfItHolds(pidFile, pid) && ready && launcher > 0 && isParent(launcher)) {
                // to standard error: the logging system shuts down in a hook of its own, at the same time
                System.err.println("Daemon mode: waiting for the launcher (pid " + launcher + ") to finish, for the"
                        + " pid file " + pidFile + " it writes");
                long deadline = System.nanoTime() + LAUNCHER_WAIT.toNanos();
                while (isParent(launcher) && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(10);
                    }
                    catch (InterruptedException ex) {
                        break; // the JVM is halting
                    }
                }
                removeIfItHolds(pidFile, pid);
            }
        }, "tokenpipe-pid-file"));
    }

    /** Whether {@code pid} is this JVM's parent: the launcher, until it exits (then the copy is reparented). */
    private static boolean isParent(long pid) {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) == pid;
    }

    private static boolean removeIfItHolds(Path pidFile, String pid) {
        try {
            if (Files.isRegularFile(pidFile)
                    && Files.readString(pidFile, StandardCharsets.US_ASCII).strip().equals(pid)) {
                Files.delete(pidFile);
                return true;
            }
        }
        catch (IOException | RuntimeException ex) {
            // a pid file that cannot be read or removed is left as it is
        }
        return false;
    }

    /** Forgets that an application of this JVM acted: for tests that run several applications in one JVM. */
    static void resetForTests() {
        acted.set(false);
        ready = false;
    }

}
