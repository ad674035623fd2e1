package io.tokenpipe.spring.boot;

import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.TokenPipeEndStatus;
import io.tokenpipe.TokenPipePlatform;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationPreparedEvent;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Tells the process that started this one whether the application came up: writes
 * {@code tokenpipe.notify.ready-token} (default 1) into the inherited descriptor {@code tokenpipe.notify.fd}
 * (or {@code TOKENPIPE_NOTIFY_FD}) once Boot has published {@link ReadinessState#ACCEPTING_TRAFFIC} (after the
 * runners) and every listener of it has returned ({@link ReadinessRunListener}), or
 * {@code tokenpipe.notify.failure-token} (default 0) when the run fails ({@link ApplicationFailedEvent}, or
 * {@link ReadinessFailureReporter} for a failure in the ready phase); then closes it. At most one token is ever
 * written.
 *
 * <p>It is registered in {@code META-INF/spring.factories} rather than as a bean: an
 * {@code ApplicationFailedEvent} after a failed refresh reaches only the listeners of the
 * {@code SpringApplication}, and a bean would already have been destroyed (closing the descriptor) by then.
 *
 * <p>The descriptor is adopted as soon as the environment is prepared, so a descriptor that is not open or
 * not a pipe/FIFO fails start-up at once (a token is never written into a file, socket or terminal), and it
 * is close-on-exec from then on. If the context closes before it was ready and without a failure event (a
 * runner that exits the application), the descriptor is closed without a token: the parent reads end of
 * stream. The descriptor is claimed once per JVM: a second application run in the same JVM (a test) does not
 * notify again. In a {@link SpringApplicationBuilder} hierarchy the application the builder was asked to run
 * claims it (the child), not the parent the builder starts first: a token written when the parent is ready
 * would tell the waiting process that a child which has not even started yet is ready.
 *
 * <p>Only the application context reports. The notifier leaves the descriptor alone (no check, no claim, no
 * token) in a Spring Cloud bootstrap context (its environment has the {@code bootstrap} property source), whose
 * readiness says nothing about the application still to start, and during AOT processing
 * ({@code spring.aot.processing=true}, set by {@code spring-boot:process-aot}), which runs the application at
 * build time only to record its bean definitions.
 *
 * <p>Nothing native is loaded unless a descriptor is configured. Where the native layer cannot load, a
 * configured descriptor fails start-up with a {@link TokenPipesUnavailableException} that says why and what to do.
 *
 * <p>Registered in {@code META-INF/spring.factories}; applications do not create it. Its one public method,
 * {@link #resetClaim()}, is for tests that run several applications in one JVM.
 */
public final class TokenPipeReadinessNotifier implements SmartApplicationListener {

    static final String FD_PROPERTY = "tokenpipe.notify.fd";

    static final String FD_ENVIRONMENT_VARIABLE = "TOKENPIPE_NOTIFY_FD";

    static final String READY_TOKEN_PROPERTY = "tokenpipe.notify.ready-token";

    static final String FAILURE_TOKEN_PROPERTY = "tokenpipe.notify.failure-token";

    private static final Log logger = LogFactory.getLog(TokenPipeReadinessNotifier.class);

    /** The inherited descriptor is a process-wide resource: only the first application in the JVM uses it. */
    private static final AtomicBoolean claimed = new AtomicBoolean();

    /** The descriptor adopted since the last {@link #resetClaim()}, or -1. */
    private static final AtomicInteger adoptedFd = new AtomicInteger(-1);

    private final AtomicReference<@Nullable TokenPipeEnd> end = new AtomicReference<>();

    private volatile int fd = -1;

    private volatile int readyToken;

    private volatile int failureToken;

    private volatile @Nullable ApplicationContext context;

    private volatile @Nullable SpringApplication application;

    /** Created by Spring Boot from {@code META-INF/spring.factories}. */
    public TokenPipeReadinessNotifier() {
    }

    @Override
    public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
        return ApplicationEnvironmentPreparedEvent.class.isAssignableFrom(eventType)
                || ApplicationPreparedEvent.class.isAssignableFrom(eventType)
                || ApplicationFailedEvent.class.isAssignableFrom(eventType)
                || ContextClosedEvent.class.isAssignableFrom(eventType);
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
            this.application = prepared.getSpringApplication();
            adopt(prepared.getEnvironment());
        }
        else if (event instanceof ApplicationPreparedEvent prepared) {
            this.context = prepared.getApplicationContext();
            if (this.end.get() != null) {
                ReadinessFailureReporter.register(prepared.getApplicationContext(),
                        (failure) -> notifyParent(this.failureToken, "failed to start"));
            }
        }
        else if (event instanceof ApplicationFailedEvent failed && failed.getSpringApplication() == this.application) {
            notifyParent(this.failureToken, "failed to start");
        }
        else if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == this.context) {
            ReadinessFailureReporter.forget(closed.getApplicationContext());
            closeWithoutToken("the application context closed before it was ready");
        }
    }

    /**
     * The application whose run published {@code context} is ready, and every listener of its readiness returned
     * (called by {@link ReadinessRunListener}): writes the ready token if this notifier holds the descriptor for it.
     */
    void applicationReady(ConfigurableApplicationContext context) {
        if (context == this.context) {
            notifyParent(this.readyToken, "ready");
        }
    }

    /**
     * Daemon mode's launcher, which runs no context, was told by its copy that it is ready: writes the ready token
     * if this notifier holds a descriptor (called by {@link TokenPipeDaemonMode}).
     */
    void launcherReady() {
        notifyParent(this.readyToken, "ready");
    }

    /** Checks the settings and adopts the descriptor; throws InvalidTokenPipePropertyException when unusable. */
    private void adopt(ConfigurableEnvironment environment) {
        String notTheApplication = ApplicationContexts.notTheApplication(environment);
        if (notTheApplication != null) {
            logger.debug(notTheApplication + ": the readiness descriptor is left to the application's real runs");
            return;
        }
        Binder binder = Binder.get(environment);
        if (!binder.bind("tokenpipe.enabled", Boolean.class).orElse(true)) {
            return;
        }
        TokenPipeProperties.Notify notify = PropertyOrigins.anySetUnder(environment, "tokenpipe.notify")
                ? binder.bindOrCreate("tokenpipe.notify", TokenPipeProperties.Notify.class)
                : new TokenPipeProperties.Notify();
        this.readyToken = notify.getReadyToken();
        this.failureToken = notify.getFailureToken();
        Integer fd = notify.getFd();
        String origin = PropertyOrigins.of(environment, FD_PROPERTY);
        if (fd == null) {
            // Boot's relaxed binding already maps TOKENPIPE_NOTIFY_FD to tokenpipe.notify.fd, except when the
            // application sets an environment prefix: the variable is the protocol's name, so read it anyway.
            String variable = System.getenv(FD_ENVIRONMENT_VARIABLE);
            if (variable == null || variable.isBlank()) {
                checkTokens(notify, environment);
                return;
            }
            origin = "environment variable " + FD_ENVIRONMENT_VARIABLE;
            fd = parseFd(variable.strip(), origin);
        }
        checkFd(fd, origin);
        if (ApplicationContexts.startedForAnotherApplication()) {
            logger.info("Leaving fd " + fd + " to the application that SpringApplicationBuilder starts this one for"
                    + " (its child): the readiness token reports that application");
            return;
        }
        if (!claimed.compareAndSet(false, true)) {
            logger.info("Not sending a readiness token to fd " + fd + ": an earlier application in this JVM"
                    + " already claimed it");
            return;
        }
        if (!TokenPipePlatform.isAvailable()) {
            throw new TokenPipesUnavailableException(FD_PROPERTY, fd, origin,
                    TokenPipePlatform.unavailableReason().orElse("unknown"));
        }
        try {
            this.end.set(TokenPipeEnd.adopt(fd));
            adoptedFd.set(fd);
        }
        catch (IllegalArgumentException ex) {
            throw new InvalidTokenPipePropertyException(FD_PROPERTY, fd, ex.getMessage(),
                    "Start this application with the write end of a pipe or FIFO at descriptor " + fd
                            + " (the process waiting for the token reads the other end), or unset " + FD_PROPERTY
                            + " and " + FD_ENVIRONMENT_VARIABLE + " to turn readiness notification off.",
                    origin);
        }
        catch (UnsupportedOperationException ex) {
            // The platform loads but cannot check an inherited descriptor (a Linux architecture whose statx number
            // is not known): the descriptor is not the problem, so do not say it is.
            throw new InvalidTokenPipePropertyException(FD_PROPERTY, fd, ex.getMessage(),
                    "Readiness notification needs adopt(), which this platform does not support (see the"
                            + " platforms page of the tokenpipe documentation); unset " + FD_PROPERTY + " and "
                            + FD_ENVIRONMENT_VARIABLE + " to start without it.",
                    origin);
        }
        this.fd = fd;
        try {
            checkTokens(notify, environment);
        }
        catch (InvalidTokenPipePropertyException ex) {
            // No failure token can be trusted here (it may be out of range, or equal to the ready token): the
            // parent learns of the failure from end of stream instead.
            closeWithoutToken("the token settings are invalid");
            throw ex;
        }
    }

    private static int parseFd(String text, String origin) {
        try {
            return Integer.parseInt(text);
        }
        catch (NumberFormatException ex) {
            throw new InvalidTokenPipePropertyException(FD_PROPERTY, text, "must be a file descriptor number, 3 or above",
                    fdAction(), origin);
        }
    }

    private static void checkFd(int fd, @Nullable String origin) {
        if (fd < 0) {
            throw new InvalidTokenPipePropertyException(FD_PROPERTY, fd,
                    "must be a file descriptor number, 3 or above (a negative number does not turn notification off)",
                    fdAction(), origin);
        }
        if (fd <= 2) {
            throw new InvalidTokenPipePropertyException(FD_PROPERTY, fd,
                    "must be 3 or above: descriptors 0, 1 and 2 are standard input, output and error", fdAction(),
                    origin);
        }
    }

    private static String fdAction() {
        return "Set " + FD_PROPERTY + " (or " + FD_ENVIRONMENT_VARIABLE + ") to the descriptor the parent passed the"
                + " pipe's write end at (3 or above), or unset both to turn readiness notification off.";
    }

    private static void checkTokens(TokenPipeProperties.Notify notify, ConfigurableEnvironment environment) {
        checkToken(READY_TOKEN_PROPERTY, notify.getReadyToken(), environment);
        checkToken(FAILURE_TOKEN_PROPERTY, notify.getFailureToken(), environment);
        if (notify.getReadyToken() == notify.getFailureToken()) {
            // Blame the one that was set: the other may be its default, which the user never wrote anywhere.
            boolean failureTokenOnly = !PropertyOrigins.isSet(environment, READY_TOKEN_PROPERTY);
            String blamed = failureTokenOnly ? FAILURE_TOKEN_PROPERTY : READY_TOKEN_PROPERTY;
            String other = failureTokenOnly ? READY_TOKEN_PROPERTY : FAILURE_TOKEN_PROPERTY;
            throw new InvalidTokenPipePropertyException(blamed, notify.getReadyToken(),
                    "must differ from " + other + " (" + notify.getReadyToken() + ", " + whence(environment, other)
                            + "), or the parent cannot tell success from failure",
                    "Set " + READY_TOKEN_PROPERTY + " and " + FAILURE_TOKEN_PROPERTY + " to two different tokens"
                            + " (the defaults are 1 and 0).",
                    PropertyOrigins.of(environment, blamed));
        }
    }

    /** Where a property's value comes from, for a message: "its default", or the origin Boot tracks. */
    private static String whence(ConfigurableEnvironment environment, String property) {
        if (!PropertyOrigins.isSet(environment, property)) {
            return "its default";
        }
        String origin = PropertyOrigins.of(environment, property);
        return (origin != null) ? "from '" + origin + "'" : "set without a known origin";
    }

    private static void checkToken(String property, int token, ConfigurableEnvironment environment) {
        if (!isToken(token)) {
            throw new InvalidTokenPipePropertyException(property, token, "must be 0 to 255 (a token is one byte)",
                    "Set " + property + " to a value from 0 to 255, or remove it to use the default.",
                    PropertyOrigins.of(environment, property));
        }
    }

    private static boolean isToken(int token) {
        return token >= 0 && token <= 255;
    }

    /** Writes {@code token} and closes the descriptor, unless a token was written or it was closed already. */
    private void notifyParent(int token, String outcome) {
        TokenPipeEnd adopted = this.end.getAndSet(null);
        if (adopted == null) {
            return;
        }
        // An interrupted thread (a runner that swallowed an InterruptedException) would make tokenWrite fail with
        // EINTR, and the parent would read end of stream from a healthy application: write with the flag cleared.
        boolean interrupted = Thread.interrupted();
        try {
            int status = adopted.tokenWrite(token);
            if (status == 0) {
                logger.debug("Application " + outcome + ": wrote token " + token + " to fd " + this.fd);
            }
            else {
                logger.warn("Application " + outcome + " but token " + token + " could not be written to fd " + this.fd
                        + ": " + TokenPipeEndStatus.of(status).map(Enum::name).orElse(String.valueOf(status)) + " "
                        + TokenPipePlatform.describeErrno(adopted.lastErrno()));
            }
        }
        finally {
            adopted.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeWithoutToken(String why) {
        TokenPipeEnd adopted = this.end.getAndSet(null);
        if (adopted != null) {
            adopted.close();
            logger.info("Closed fd " + this.fd + " without a readiness token because " + why
                    + " (the waiting process reads end of stream)");
        }
    }

    /**
     * Forgets the once-per-JVM claim, so that the next application run in this JVM claims a notify descriptor
     * again. For tests that run several applications in one JVM, such as the readiness helper of
     * {@code tokenpipe-spring-boot-starter-test}; an application has no use for it.
     * @return the descriptor adopted since the last reset, which belongs to the notifier (it closes it after its
     * token, or when its context closes; do not close it); empty when none was adopted
     */
    public static OptionalInt resetClaim() {
        int fd = adoptedFd.getAndSet(-1);
        claimed.set(false);
        return (fd >= 0) ? OptionalInt.of(fd) : OptionalInt.empty();
    }

}
