package io.tokenpipe.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.tokenpipe.ChildProcess;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.TokenPipePlatform;
import io.tokenpipe.demo.worker.WorkerMain;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Owns the background worker process ({@link WorkerMain} in a second JVM) and its two token pipes.
 *
 * <ul>
 * <li>{@link #start()} (a {@link SmartLifecycle}, started before the web server) launches the worker through
 * {@link ChildProcess}: the write end of the {@value #READINESS_PIPE} pipe at its fd 3 ({@code TOKENPIPE_FD=3}),
 * the read end of the {@value #LIFELINE_PIPE} pipe at its fd 4 ({@code DEMO_LIFELINE_FD=4}). The application
 * keeps the other two ends.</li>
 * <li>{@link #awaitReady()} (called by {@link WorkerReadinessRunner}) waits for the token: 1 makes the worker
 * READY; token 0, end of stream (it died) or the timeout fail start-up with a {@link WorkerStartupException},
 * after the worker was stopped and reaped.</li>
 * <li>{@link #stop()} (at shutdown, after the web server stopped) sends SIGTERM, reaps the worker and closes
 * both pipes. The worker runs in its own session, so that signals from the terminal (Ctrl-C) reach only the
 * application, which then stops the worker in this order. The application never writes to the lifeline: the
 * worker exits when it reads end of stream on it, so it cannot outlive the application even when the
 * application is killed with SIGKILL. The worker is not restarted: {@link #start()} after {@link #stop()}
 * throws.</li>
 * </ul>
 *
 * <p>If the worker exits on its own after it was ready, the application publishes
 * {@link ReadinessState#REFUSING_TRAFFIC}: its background service is gone. If that happens after its token but
 * before the application is ready (after the runners), start-up fails instead.
 */
@Component
public class BackgroundWorker implements SmartLifecycle, DisposableBean {

    /** Name of the pipe the worker writes its readiness token into. */
    static final String READINESS_PIPE = "worker-readiness";

    /** Name of the pipe whose end of stream tells the worker that the application is gone. */
    static final String LIFELINE_PIPE = "worker-lifeline";

    static final int READINESS_FD = 3;

    static final int LIFELINE_FD = 4;

    /**
     * A small background JVM: it needs little memory and starts faster with the C1 compiler alone. It is not
     * started with {@code -jar}, so the jar's {@code Enable-Native-Access} does not apply: the option does the same
     * (Java 22+ would warn about tokenpipe's native calls otherwise; Java 17-21 accept it and change nothing).
     */
    static final List<String> WORKER_JVM_OPTIONS = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "--enable-native-access=ALL-UNNAMED");

    /** How long a worker may take to exit after SIGTERM before it gets SIGKILL. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    /** How long to wait for the exit code of a worker that closed its readiness pipe (it is exiting). */
    private static final Duration EXIT_AFTER_END_OF_STREAM = Duration.ofSeconds(10);

    private static final Logger logger = LoggerFactory.getLogger(BackgroundWorker.class);

    private final TokenPipeFactory pipes;

    private final DemoProperties.Worker settings;

    private final JavaCommand java;

    private final ApplicationEventPublisher events;

    private final Object lock = new Object();

    // Guarded by lock.
    private @Nullable ChildProcess process;

    private @Nullable TokenPipeEnd readiness;

    private @Nullable TokenPipeEnd lifeline;

    private boolean running;

    private boolean stopping;

    /** Whether start-up got past {@link #failIfTheWorkerIsGone()}: from then on the watcher reports an exit. */
    private boolean applicationReady;

    private WorkerState state = WorkerState.NOT_STARTED;

    private @Nullable Integer token;

    private @Nullable Instant startedAt;

    private long startNanos;

    private @Nullable Instant readyAt;

    private @Nullable Instant failedAt;

    private @Nullable Instant endedAt;

    private @Nullable Long preparationMillis;

    private @Nullable Integer exitCode;

    private @Nullable String failure;

    /**
     * @param pipes where the two pipes come from (the starter's factory: they show in the tokenPipe health
     * details and the tokenpipes endpoint)
     * @param properties the demo settings (demo.worker.*)
     * @param java how to start a JVM on this class path
     * @param events where REFUSING_TRAFFIC is published if the worker dies after it was ready
     */
    BackgroundWorker(TokenPipeFactory pipes, DemoProperties properties, JavaCommand java,
            ApplicationEventPublisher events) {
        this.pipes = pipes;
        this.settings = properties.getWorker();
        this.java = java;
        this.events = events;
    }

    /**
     * Starts the worker process with its two pipes; returns without waiting for it.
     * @throws WorkerStartupException if the pipes cannot be made or the process cannot be started
     * @throws IllegalStateException if a worker was started and stopped before ({@code context.stop()} then
     * {@code start()}): only the start-up's runner waits for a worker's token, so a second worker would stay
     * PREPARING, unwatched, and the state of the first (exit code, failure) would mix with it
     */
    @Override
    public void start() {
        synchronized (this.lock) {
            if (this.running) {
                return;
            }
            if (this.process != null) {
                throw new IllegalStateException("the background worker runs once per application context: worker pid "
                        + this.process.pid() + " was stopped and is not restarted (restart the application instead)");
            }
            List<String> command = this.java.mainClass(WORKER_JVM_OPTIONS, WorkerMain.class.getName(),
                    WorkerMain.arguments(this.settings.getDelay(), this.settings.isFail(), this.settings.isCrash()));
            try (TokenPipe readinessPipe = this.pipes.create(READINESS_PIPE);
                    TokenPipe lifelinePipe = this.pipes.create(LIFELINE_PIPE)) {
                this.readiness = readinessPipe.takeReadEnd();
                this.lifeline = lifelinePipe.takeWriteEnd();
                // start() closes this JVM's copies of the passed ends: the worker holds the only write end of the
                // readiness pipe (its exit means end of stream), the application the only write end of the lifeline.
                ChildProcess.Builder builder = ChildProcess.builder(command)
                    .passEnd(readinessPipe.takeWriteEnd(), READINESS_FD)
                    .environment(WorkerMain.READY_FD_VARIABLE, Integer.toString(READINESS_FD))
                    .passEnd(lifelinePipe.takeReadEnd(), LIFELINE_FD)
                    .environment(WorkerMain.LIFELINE_FD_VARIABLE, Integer.toString(LIFELINE_FD))
                    // Its own session: a Ctrl-C (or a hang-up) of the terminal reaches only the application, which
                    // then stops the worker in order. The lifeline makes sure it never outlives the application.
                    .detached(true);
                String logFile = this.settings.getLogFile();
                if (logFile != null) {
                    builder.redirectOutput(Path.of(logFile)).redirectError(Path.of(logFile));
                }
                this.process = builder.start();
            }
            catch (IOException | RuntimeException ex) {
                closePipes();
                throw new WorkerStartupException("could not start the worker: " + ex.getMessage(),
                        "Check that the JVM at " + command.get(0) + " can be started from this application.", ex);
            }
            this.running = true;
            this.state = WorkerState.PREPARING;
            this.startedAt = Instant.now();
            this.startNanos = System.nanoTime();
            logger.info("Started worker pid {} ({} {}), readiness pipe at its fd {}, lifeline at fd {}",
                    this.process.pid(), WorkerMain.class.getSimpleName(), String.join(" ",
                            WorkerMain.arguments(this.settings.getDelay(), this.settings.isFail(), this.settings.isCrash())),
                    READINESS_FD, LIFELINE_FD);
            logger.debug("Worker command: {}", command);
        }
    }

    /**
     * Waits for the worker's readiness token, at most demo.worker.timeout from the worker's start.
     * @throws WorkerStartupException naming the pid and what happened, when the token is 0 (or any token but
     * 1), the worker died first (with its exit code), the timeout passed, or the application is shutting down;
     * the worker is stopped and reaped and both pipes are closed before it is thrown
     * @throws IllegalStateException if the worker was not started or this was already called
     */
    public void awaitReady() {
        TokenPipeEnd end;
        ChildProcess child;
        long started;
        synchronized (this.lock) {
            if (this.process == null || this.readiness == null || this.state != WorkerState.PREPARING) {
                throw new IllegalStateException("the worker is " + this.state + ", not PREPARING");
            }
            end = this.readiness;
            child = this.process;
            started = this.startNanos;
        }
        Duration timeout = this.settings.getTimeout();
        Duration left = timeout.minusNanos(System.nanoTime() - started);
        logger.info("Waiting for worker pid {} to signal readiness (demo.worker.timeout={} from its start);"
                + " /actuator/health/readiness is OUT_OF_SERVICE until then", child.pid(), Durations.format(timeout));
        int result = end.tokenRead(left.isNegative() ? Duration.ZERO : left);
        int errno = end.lastErrno();
        long took = System.nanoTime() - started;
        end.close();
        if (result == WorkerMain.TOKEN_READY && markReady(child, took)) {
            logger.info("Worker pid {} is ready (token 1) after {}", child.pid(), Durations.elapsed(took));
            watchForExit(child);
            return;
        }
        String reason = reason(result, errno, child, timeout);
        String action = action(result);
        synchronized (this.lock) {
            this.state = WorkerState.FAILED;
            this.failedAt = Instant.now();
            this.preparationMillis = took / 1_000_000;
            this.failure = reason;
            this.token = (result >= 0) ? result : null;
        }
        logger.error("Start-up fails: {}", reason);
        if (result >= 0) {
            awaitExit(child, Duration.ofSeconds(2)); // a worker that sent a token exits by itself: let it
        }
        stopWorker();
        throw new WorkerStartupException(reason, action, null);
    }

    /** READY unless stop() got there first. */
    private boolean markReady(ChildProcess child, long took) {
        synchronized (this.lock) {
            if (this.stopping) {
                return false;
            }
            this.state = WorkerState.READY;
            this.token = WorkerMain.TOKEN_READY;
            this.readyAt = Instant.now();
            this.preparationMillis = took / 1_000_000;
            return true;
        }
    }

    private String reason(int result, int errno, ChildProcess child, Duration timeout) {
        long pid = child.pid();
        if (isStopping()) {
            return "the application is shutting down: worker pid " + pid + " was stopped before it signalled readiness";
        }
        if (result == WorkerMain.TOKEN_FAILED) {
            return "worker pid " + pid + " reported failure (token 0)";
        }
        if (result >= 0) {
            return "worker pid " + pid + " sent token " + result + ", which is neither ready (1) nor failed (0)";
        }
        if (result == TokenPipeEnd.TS_EOS) {
            // The worker held the only write end: end of stream means it exited (or closed it, which it never does).
            try {
                if (child.waitFor(EXIT_AFTER_END_OF_STREAM)) {
                    return "worker pid " + pid + " exited with code " + child.exitValue().getAsInt()
                            + " before signalling readiness";
                }
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            return "worker pid " + pid + " closed its readiness pipe without signalling readiness";
        }
        if (result == TokenPipeEnd.TS_TIMEOUT) {
            return "worker pid " + pid + " did not signal readiness within " + Durations.format(timeout);
        }
        return "reading the readiness pipe of worker pid " + pid + " failed: " + TokenPipePlatform.describeErrno(errno);
    }

    private String action(int result) {
        if (isStopping()) {
            return "None: the application was asked to stop (SIGTERM, Ctrl-C) while its worker was preparing.";
        }
        if (result == WorkerMain.TOKEN_FAILED) {
            return "The worker's output above says why its preparation failed."
                    + (this.settings.isFail() ? " It failed on purpose: demo.worker.fail=true." : "");
        }
        if (result == TokenPipeEnd.TS_EOS) {
            return "The worker's output above says why it died."
                    + (this.settings.isCrash() ? " It crashed on purpose: demo.worker.crash=true." : "");
        }
        if (result == TokenPipeEnd.TS_TIMEOUT) {
            return "Give the worker more time (demo.worker.timeout=" + Durations.format(this.settings.getTimeout())
                    + ") or less work (demo.worker.delay=" + Durations.format(this.settings.getDelay()) + ").";
        }
        return "See the log above.";
    }

    /**
     * Fails start-up if the worker exited after its token but before the application became ready. Boot
     * publishes ACCEPTING_TRAFFIC right after this event, and the starter then tells a waiting parent (daemon
     * mode) that the application is ready: neither may happen without the background service. Failing here, on
     * the thread that publishes readiness, is what keeps the order right: a REFUSING_TRAFFIC published by the
     * watcher before Boot's ACCEPTING_TRAFFIC would be overridden by it.
     * @throws WorkerStartupException naming the pid and the exit code
     */
    @EventListener(ApplicationReadyEvent.class)
    void failIfTheWorkerIsGone() {
        String reason;
        synchronized (this.lock) {
            if (this.state != WorkerState.EXITED) {
                this.applicationReady = true;
                return;
            }
            reason = "worker pid " + ((this.process != null) ? this.process.pid() : null) + " exited with code "
                    + this.exitCode + " after signalling readiness, before the application was ready";
            this.state = WorkerState.FAILED;
            this.failedAt = Instant.now();
            this.failure = reason;
        }
        logger.error("Start-up fails: {}", reason);
        stopWorker();
        throw new WorkerStartupException(reason, "The worker's output above says why it died.", null);
    }

    /** Whether the child exited within {@code timeout}; an interrupt ends the wait early but stays set. */
    private static boolean awaitExit(ChildProcess child, Duration timeout) {
        try {
            return child.waitFor(timeout);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * After READY: if the worker exits on its own, say so and stop accepting traffic (before the application is
     * ready, {@link #failIfTheWorkerIsGone()} fails start-up instead).
     */
    private void watchForExit(ChildProcess child) {
        Thread watcher = new Thread(() -> {
            int code;
            try {
                code = child.waitFor();
            }
            catch (InterruptedException ex) {
                return;
            }
            boolean applicationReady;
            synchronized (this.lock) {
                if (this.stopping) {
                    return; // stopWorker() reports it
                }
                this.state = WorkerState.EXITED;
                this.exitCode = code;
                this.endedAt = Instant.now();
                applicationReady = this.applicationReady;
            }
            if (!applicationReady) {
                logger.error("Worker pid {} exited with code {} before the application was ready", child.pid(), code);
                return;
            }
            logger.error("Worker pid {} exited unexpectedly with code {}: the application no longer accepts traffic",
                    child.pid(), code);
            AvailabilityChangeEvent.publish(this.events, this, ReadinessState.REFUSING_TRAFFIC);
        }, "worker-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * Stops the worker (SIGTERM, SIGKILL after 10 seconds), waits until it is reaped, and closes both pipes.
     * Idempotent.
     */
    @Override
    public void stop() {
        stopWorker();
    }

    /** As {@link #stop()}: also when the context fails to refresh after the worker started. */
    @Override
    public void destroy() {
        stopWorker();
    }

    private void stopWorker() {
        ChildProcess child;
        synchronized (this.lock) {
            this.running = false;
            if (this.stopping || this.process == null) {
                return;
            }
            this.stopping = true;
            child = this.process;
        }
        long pid = child.pid();
        int code;
        if (child.exitValue().isPresent()) {
            code = child.exitValue().getAsInt();
            logger.info("Worker pid {} had already exited with code {}", pid, code);
        }
        else {
            logger.info("Stopping worker pid {} (SIGTERM)", pid);
            code = terminate(child);
            logger.info("Worker pid {} exited with code {}", pid, code);
        }
        synchronized (this.lock) {
            if (this.state != WorkerState.FAILED && this.state != WorkerState.EXITED) {
                this.state = WorkerState.STOPPED;
            }
            if (this.exitCode == null) {
                this.exitCode = code;
                this.endedAt = Instant.now();
            }
            closePipes();
        }
        logger.info("Closed the worker's pipes ({}, {}); open token pipes now: {}", READINESS_PIPE, LIFELINE_PIPE,
                this.pipes.snapshot().openPipes());
    }

    /** SIGTERM, then SIGKILL if it has not exited within the grace period; returns the exit code once reaped. */
    private static int terminate(ChildProcess child) {
        child.destroy();
        if (!awaitExit(child, STOP_GRACE)) {
            logger.warn("Worker pid {} did not exit within {} of SIGTERM: sending SIGKILL", child.pid(),
                    Durations.format(STOP_GRACE));
            child.destroyForcibly(); // close() would not: the worker is detached
            awaitExit(child, STOP_GRACE);
        }
        return child.exitValue().orElse(-1);
    }

    /** Caller holds the lock. */
    private void closePipes() {
        if (this.readiness != null) {
            this.readiness.close();
        }
        if (this.lifeline != null) {
            this.lifeline.close(); // the worker, if it is somehow still there, reads end of stream and exits
        }
    }

    private boolean isStopping() {
        synchronized (this.lock) {
            return this.stopping;
        }
    }

    /** Whether the worker was started and not yet stopped. */
    @Override
    public boolean isRunning() {
        synchronized (this.lock) {
            return this.running;
        }
    }

    /** Starts before the web server and stops after it (after in-flight requests were served). */
    @Override
    public int getPhase() {
        return WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE - 1;
    }

    /**
     * The worker now.
     * @return pid, state, token, timings, exit code and failure; fields that do not apply yet are null
     */
    public WorkerStatus status() {
        synchronized (this.lock) {
            return new WorkerStatus((this.process != null) ? this.process.pid() : null, this.state, this.token,
                    text(this.startedAt), text(this.readyAt), text(this.failedAt), text(this.endedAt),
                    this.preparationMillis, this.exitCode, this.failure, Durations.format(this.settings.getDelay()),
                    Durations.format(this.settings.getTimeout()));
        }
    }

    private static @Nullable String text(@Nullable Instant instant) {
        return (instant != null) ? instant.toString() : null;
    }

}
