package io.tokenpipe.spring.boot;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

/**
 * Feeds systemd's watchdog: {@code WATCHDOG=1} every half of {@code WATCHDOG_USEC}, from a daemon thread of its
 * own ({@code tokenpipe-systemd-watchdog}), but only while the {@link Gate} says the application is healthy.
 * While it is not, nothing is sent, so that systemd acts on a broken application (by default it kills it, and
 * {@code Restart=} starts it again); once it is healthy again, the messages resume. Each change is logged once
 * and shown in {@code systemctl status} (a STATUS line).
 *
 * <p>The delay between two messages is fixed (not a rate), so a late check never makes messages bunch up. A
 * check that takes longer than the interval delays the next message: a hung health check is a hung application.
 */
final class SystemdWatchdog implements AutoCloseable {

    /** Whether the application is healthy enough to feed the watchdog. */
    interface Gate {

        /**
         * Checks now.
         * @return null when healthy; otherwise why not, for people ("health group liveness is DOWN")
         */
        @Nullable String unhealthy();

        /**
         * What is checked.
         * @return such as "health group liveness" or "LivenessState"
         */
        String describe();

    }

    private final Duration interval;

    private final Gate gate;

    private final Consumer<String> send;

    private final Log logger;

    private final ScheduledExecutorService thread;

    private volatile boolean withheld;

    /**
     * A watchdog, not yet started.
     * @param interval the delay between two messages
     * @param gate the health check
     * @param send sends one state to systemd (and reports a failure itself)
     * @param logger where changes of health are logged
     */
    SystemdWatchdog(Duration interval, Gate gate, Consumer<String> send, Log logger) {
        this.interval = interval;
        this.gate = gate;
        this.send = send;
        this.logger = logger;
        this.thread = Executors.newSingleThreadScheduledExecutor((task) -> {
            Thread watchdog = new Thread(task, "tokenpipe-systemd-watchdog");
            watchdog.setDaemon(true);
            return watchdog;
        });
    }

    /** Sends the first message now (if healthy), then every interval. */
    void start() {
        this.logger.debug("systemd watchdog: WATCHDOG=1 every " + this.interval.toMillis() + " ms while "
                + this.gate.describe() + " is healthy");
        this.thread.scheduleWithFixedDelay(this::tick, 0, this.interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void tick() {
        try {
            check();
        }
        catch (RuntimeException ex) { // a task that throws is never run again: report it and keep the schedule
            this.logger.warn("systemd watchdog: check failed: " + ex, ex);
        }
    }

    private void check() {
        String unhealthy;
        try {
            unhealthy = this.gate.unhealthy();
        }
        catch (RuntimeException | LinkageError ex) {
            unhealthy = this.gate.describe() + " could not be checked: " + ex;
        }
        if (unhealthy == null) {
            if (this.withheld) {
                this.withheld = false;
                this.logger.info("systemd watchdog: " + this.gate.describe() + " is healthy again; WATCHDOG=1 resumes");
                this.send.accept("WATCHDOG=1\nSTATUS=Ready");
            }
            else {
                this.send.accept("WATCHDOG=1");
            }
        }
        else if (!this.withheld) {
            this.withheld = true;
            this.logger.warn("systemd watchdog: " + unhealthy + "; WATCHDOG=1 is withheld until it is healthy again"
                    + " (systemd acts once WatchdogSec= passes without one)");
            this.send.accept("STATUS=" + SystemdStates.statusLine("Unhealthy, watchdog withheld: " + unhealthy));
        }
    }

    /** Stops sending; a message being sent is finished. */
    @Override
    public void close() {
        this.thread.shutdownNow();
    }

}
