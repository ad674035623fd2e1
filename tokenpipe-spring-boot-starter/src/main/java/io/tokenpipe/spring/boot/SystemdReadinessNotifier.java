package io.tokenpipe.spring.boot;

import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.tokenpipe.SystemdNotifier;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/**
 * Tells systemd how the application is doing, when it was started with {@code NOTIFY_SOCKET} in its environment
 * (a {@code Type=notify} service): the sd_notify protocol through core's {@link SystemdNotifier}, without
 * libsystemd.
 * <ul>
 * <li>{@code STATUS=Starting} once the environment is prepared, {@code STATUS=Started, running the application
 * runners} once the context has refreshed;</li>
 * <li>{@code READY=1} with {@code STATUS=Ready} once Boot has published {@link ReadinessState#ACCEPTING_TRAFFIC}
 * (after the runners) and every listener of it has returned ({@link ReadinessRunListener}: the moment the readiness
 * token is written);</li>
 * <li>{@code STATUS=Failed to start: ...} with {@code ERRNO=} where the failure carries one, on
 * {@link ApplicationFailedEvent};</li>
 * <li>{@code STOPPING=1} as soon as the application context begins to close while the JVM shuts down (SIGTERM,
 * {@code systemctl stop}, {@code System.exit}), or closes before it was ready;</li>
 * <li>{@code RELOADING=1} with {@code MONOTONIC_USEC=} when the context of a ready application closes while the JVM
 * goes on: a restart in the same JVM (Spring Cloud's {@code /actuator/restart}, devtools). STOPPING=1 would make
 * systemd stop the unit and kill it after {@code TimeoutStopSec}; after RELOADING=1 it waits for the READY=1 that
 * the next application run in this JVM sends, and a JVM that exits instead ends the unit as any exit does;</li>
 * <li>{@code WATCHDOG=1} every half of {@code WATCHDOG_USEC} (when it is set, and {@code WATCHDOG_PID} is unset
 * or this process), while the health group {@code tokenpipe.notify.systemd.watchdog-health-group} (default
 * {@code liveness}) is UP, or without actuator's health endpoint while the {@link LivenessState} is CORRECT
 * ({@link SystemdWatchdog}).</li>
 * </ul>
 * A message that cannot be sent is logged once at WARN (later ones at DEBUG) and never fails the application.
 * {@code tokenpipe.notify.systemd.enabled=false} (or {@code tokenpipe.enabled=false}) turns all of it off.
 *
 * <p>Registered in {@code META-INF/spring.factories}, not a bean, for the same reason as
 * {@link TokenPipeReadinessNotifier}: it must see {@code ApplicationFailedEvent} after a failed refresh. Acts for
 * one application of the JVM at a time and only for the application itself (not in a Spring Cloud bootstrap
 * context, not during AOT processing, not for the parent a {@code SpringApplicationBuilder} starts first); once
 * that application's context closes while the JVM goes on, the next application run in the JVM reports.
 */
public final class SystemdReadinessNotifier implements SmartApplicationListener {

    static final String ENABLED_PROPERTY = "tokenpipe.notify.systemd.enabled";

    static final String HEALTH_GROUP_PROPERTY = "tokenpipe.notify.systemd.watchdog-health-group";

    private static final String HEALTH_ENDPOINT_CLASS = "org.springframework.boot.health.actuate.endpoint.HealthEndpoint";

    private static final Log logger = LogFactory.getLog(SystemdReadinessNotifier.class);

    /** NOTIFY_SOCKET belongs to the process: only one application in the JVM reports to it. */
    private static final AtomicBoolean claimed = new AtomicBoolean();

    /** The application that reported closed while the JVM goes on (a restart): the next one takes the claim. */
    private static final AtomicBoolean released = new AtomicBoolean();

    /** Where NOTIFY_SOCKET and WATCHDOG_* are read: this process's environment, or a test's. */
    private static volatile Supplier<Map<String, String>> environmentVariables = System::getenv;

    private final AtomicBoolean sendFailureLogged = new AtomicBoolean();

    private volatile @Nullable SystemdNotifier notifier;

    private volatile @Nullable ApplicationContext context;

    private volatile @Nullable SpringApplication application;

    private volatile String healthGroup = TokenPipeProperties.Systemd.DEFAULT_WATCHDOG_HEALTH_GROUP;

    private volatile boolean healthGroupConfigured;

    private volatile SystemdWatchdog.@Nullable Gate gate;

    private volatile @Nullable SystemdWatchdog watchdog;

    private volatile @Nullable LivenessState liveness;

    private volatile boolean ready;

    private volatile boolean failed;

    private volatile boolean stopping;

    /** Created by Spring Boot from {@code META-INF/spring.factories}. */
    public SystemdReadinessNotifier() {
    }

    @Override
    public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
        return ApplicationEnvironmentPreparedEvent.class.isAssignableFrom(eventType)
                || ApplicationPreparedEvent.class.isAssignableFrom(eventType)
                || ApplicationStartedEvent.class.isAssignableFrom(eventType)
                || AvailabilityChangeEvent.class.isAssignableFrom(eventType)
                || ApplicationFailedEvent.class.isAssignableFrom(eventType)
                || ContextClosedEvent.class.isAssignableFrom(eventType);
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            this.application = prepared.getSpringApplication();
            activate(prepared.getEnvironment());
            return;
        }
        SystemdNotifier systemd = this.notifier;
        if (systemd == null) {
            return;
        }
        if (event instanceof ApplicationPreparedEvent prepared) {
            this.context = prepared.getApplicationContext();
            ReadinessFailureReporter.register(prepared.getApplicationContext(), (failure) -> runFailed(failure));
        }
        else if (event instanceof ApplicationStartedEvent started && started.getApplicationContext() == this.context) {
            if (systemd.watchdogTimeout().isPresent()) {
                this.gate = chooseGate(started.getApplicationContext());
            }
            send("STATUS=Started, running the application runners");
        }
        else if (event instanceof AvailabilityChangeEvent<?> change && change.getState() instanceof LivenessState state
                && ApplicationContexts.isFrom(change, this.context)) {
            this.liveness = state;
        }
        else if (event instanceof ApplicationFailedEvent failedEvent
                && failedEvent.getSpringApplication() == this.application) {
            runFailed(failedEvent.getException());
        }
        else if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == this.context) {
            ReadinessFailureReporter.forget(closed.getApplicationContext());
            stopWatchdog();
            contextClosed();
        }
    }

    private void contextClosed() {
        if (isJvmShuttingDown()) {
            // After a failed start the failure's STATUS stays what systemctl status shows; the process exits.
            if (!this.failed && !this.stopping) {
                this.stopping = true;
                send("STOPPING=1\nSTATUS=Stopping");
            }
            return;
        }
        // The JVM goes on: a restart (Spring Cloud's RestartEndpoint runs the same SpringApplication again, devtools
        // a new one), or an exit still to come. STOPPING=1 would stop the unit; RELOADING=1 keeps it until READY=1.
        if (this.ready && !this.failed && !this.stopping) {
            // MONOTONIC_USEC: CLOCK_MONOTONIC, which System.nanoTime reads on Linux (HotSpot's os::javaTimeNanos)
            send("RELOADING=1\nMONOTONIC_USEC=" + (System.nanoTime() / 1000) + "\nSTATUS=Restarting");
        }
        else if (!this.failed && !this.stopping) {
            send("STOPPING=1\nSTATUS=Stopping"); // closed before it was ready: nothing to reload
        }
        forgetRun();
        released.set(true);
    }

    /** This run is over: the next run of the same SpringApplication (a restart) starts afresh. */
    private void forgetRun() {
        this.notifier = null;
        this.context = null;
        this.gate = null;
        this.liveness = null;
        this.ready = false;
        this.failed = false;
        this.stopping = false;
    }

    /**
     * Whether the JVM has begun to shut down (SIGTERM, {@code System.exit}, its last non-daemon thread ended): then
     * no shutdown hook can be added. There is no other public way to ask.
     */
    private static boolean isJvmShuttingDown() {
        Thread probe = new Thread(() -> {
        }, "tokenpipe-shutdown-probe");
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        }
        catch (IllegalStateException ex) {
            return true;
        }
    }

    private void activate(ConfigurableEnvironment environment) {
        String notTheApplication = ApplicationContexts.notTheApplication(environment);
        if (notTheApplication != null) {
            logger.debug(notTheApplication + ": NOTIFY_SOCKET is left to the application's real runs");
            return;
        }
        Binder binder = Binder.get(environment);
        TokenPipeProperties.Systemd settings = PropertyOrigins.anySetUnder(environment, "tokenpipe.notify.systemd")
                ? binder.bindOrCreate("tokenpipe.notify.systemd", TokenPipeProperties.Systemd.class)
                : new TokenPipeProperties.Systemd();
        if (!binder.bind("tokenpipe.enabled", Boolean.class).orElse(true) || !settings.isEnabled()) {
            return;
        }
        SystemdNotifier systemd = SystemdNotifier.fromEnvironment(environmentVariables.get()).orElse(null);
        if (systemd == null || ApplicationContexts.startedForAnotherApplication()) {
            return;
        }
        if (!claimed.compareAndSet(false, true) && !released.compareAndSet(true, false)) {
            logger.info("Not notifying systemd (" + systemd.socket() + "): an earlier application in this JVM"
                    + " already does");
            return;
        }
        String group = settings.getWatchdogHealthGroup();
        if (group == null || group.isBlank()) {
            throw InvalidTokenPipePropertyException.of(HEALTH_GROUP_PROPERTY, String.valueOf(group),
                    "must name a health group", "Set " + HEALTH_GROUP_PROPERTY + " to a health group (the default is "
                            + TokenPipeProperties.Systemd.DEFAULT_WATCHDOG_HEALTH_GROUP + "), or remove it.",
                    environment);
        }
        this.healthGroup = group.strip();
        this.healthGroupConfigured = !this.healthGroup.equals(TokenPipeProperties.Systemd.DEFAULT_WATCHDOG_HEALTH_GROUP);
        this.notifier = systemd;
        logger.debug("Notifying systemd at " + systemd);
        String name = environment.getProperty("spring.application.name");
        send("STATUS=" + SystemdStates.statusLine("Starting" + ((name != null && !name.isBlank()) ? " " + name : "")));
    }

    /**
     * The health check of the watchdog: the configured health group where actuator's health endpoint has it,
     * else the LivenessState (what the default {@code liveness} group reports where it is not set up).
     * @throws InvalidTokenPipePropertyException when a group other than the default is configured and missing
     */
    private SystemdWatchdog.Gate chooseGate(ApplicationContext context) {
        if (ClassUtils.isPresent(HEALTH_ENDPOINT_CLASS, getClass().getClassLoader())) {
            SystemdWatchdog.Gate group = SystemdHealthGroupGate.find(context, this.healthGroup);
            if (group != null) {
                return group;
            }
            if (this.healthGroupConfigured) {
                throw InvalidTokenPipePropertyException.of(HEALTH_GROUP_PROPERTY, this.healthGroup,
                        "names no health group of this application (its groups: "
                                + SystemdHealthGroupGate.groupNames(context) + ")",
                        "Define the group (management.endpoint.health.group." + this.healthGroup + ".include=...),"
                                + " name one of the existing groups, or remove " + HEALTH_GROUP_PROPERTY
                                + " to gate the systemd watchdog on liveness.",
                        context.getEnvironment());
            }
        }
        else if (this.healthGroupConfigured) {
            throw InvalidTokenPipePropertyException.of(HEALTH_GROUP_PROPERTY, this.healthGroup,
                    "needs actuator's health endpoint, which this application does not have",
                    "Add spring-boot-starter-actuator, or remove " + HEALTH_GROUP_PROPERTY
                            + " to gate the systemd watchdog on the LivenessState.",
                    context.getEnvironment());
        }
        ApplicationAvailability availability = context.getBeanProvider(ApplicationAvailability.class).getIfAvailable();
        return new LivenessGate(() -> (availability != null) ? availability.getLivenessState() : this.liveness);
    }

    /**
     * The application whose run published {@code context} is ready, and every listener of its readiness returned
     * (called by {@link ReadinessRunListener}): READY=1, and the watchdog starts.
     */
    void applicationReady(ConfigurableApplicationContext context, @Nullable Duration took) {
        SystemdNotifier systemd = this.notifier;
        if (systemd == null || context != this.context) {
            return;
        }
        if (!this.ready && !this.failed && !this.stopping) { // a SIGTERM during the runners: never READY=1 after it
            this.ready = true;
            send("READY=1\nSTATUS=Ready" + ((took != null) ? ", started in " + seconds(took) : ""));
            SystemdWatchdog.Gate health = this.gate;
            Duration timeout = systemd.watchdogTimeout().orElse(null);
            if (health != null && timeout != null) {
                SystemdWatchdog started = new SystemdWatchdog(timeout.dividedBy(2), health, this::send, logger);
                this.watchdog = started;
                started.start();
            }
        }
    }

    /**
     * The run failed (its ApplicationFailedEvent, or {@link ReadinessFailureReporter} for a failure in the ready
     * phase, which has no such event): the reason goes to systemd once, and the watchdog stops.
     */
    private void runFailed(Throwable failure) {
        if (this.failed) {
            return;
        }
        this.failed = true;
        stopWatchdog();
        OptionalInt errno = SystemdStates.errnoOf(failure);
        send("STATUS=" + SystemdStates.failureStatus(failure)
                + (errno.isPresent() ? "\nERRNO=" + errno.getAsInt() : ""));
    }

    private static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.3f s", duration.toNanos() / 1e9);
    }

    private void stopWatchdog() {
        SystemdWatchdog running = this.watchdog;
        if (running != null) {
            running.close();
            this.watchdog = null;
        }
    }

    /** Sends one state; a failure is logged once at WARN, then at DEBUG. */
    private void send(String state) {
        SystemdNotifier systemd = this.notifier;
        if (systemd == null) {
            return;
        }
        SystemdNotifier.Result result = systemd.send(state);
        if (result.isSent()) {
            return;
        }
        String what = state.replace('\n', ' ');
        if (this.sendFailureLogged.compareAndSet(false, true)) {
            logger.warn("Could not notify systemd at NOTIFY_SOCKET=" + systemd.socket() + " (" + what + "): " + result
                    + "; the application goes on (further failures are logged at DEBUG)");
        }
        else if (logger.isDebugEnabled()) {
            logger.debug("Could not notify systemd (" + what + "): " + result);
        }
    }

    /** Healthy while the LivenessState is CORRECT. */
    private static final class LivenessGate implements SystemdWatchdog.Gate {

        private final Supplier<@Nullable LivenessState> state;

        LivenessGate(Supplier<@Nullable LivenessState> state) {
            this.state = state;
        }

        @Override
        public @Nullable String unhealthy() {
            LivenessState now = this.state.get();
            return (now == LivenessState.CORRECT) ? null : "LivenessState is " + now;
        }

        @Override
        public String describe() {
            return "LivenessState";
        }

    }

    /**
     * For tests in this package: read NOTIFY_SOCKET and WATCHDOG_* from {@code variables} instead of the
     * process environment, and forget the claim of NOTIFY_SOCKET.
     * @param variables the variables, or null for the process environment again
     */
    static void useEnvironmentForTests(@Nullable Map<String, String> variables) {
        environmentVariables = (variables != null) ? () -> variables : System::getenv;
        claimed.set(false);
        released.set(false);
    }

}
