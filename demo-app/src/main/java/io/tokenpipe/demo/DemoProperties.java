package io.tokenpipe.demo;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The demo's settings, under {@code demo}. Negative durations are refused when they are bound, so a bad value
 * stops start-up with Boot's report naming the property, the value and where it came from.
 */
@ConfigurationProperties("demo")
public class DemoProperties {

    /**
     * Whether to start a detached copy of the application (its output going to demo.log-file), wait for its
     * readiness token and exit: 0 once it is ready, 1 with the reason if it failed or died first (the Java
     * counterpart of bitcoind -daemonwait).
     */
    private boolean daemonWait;

    /**
     * Log file (standard output and error) of the detached copy started with demo.daemon-wait.
     */
    private String logFile = "demo-app.log";

    /**
     * How long demo.daemon-wait waits for the detached copy's readiness token before it stops the copy and
     * exits 1. When unset, demo.worker.timeout plus 60 seconds for the JVM and Spring to start.
     */
    private @Nullable Duration daemonWaitTimeout;

    private final Worker worker = new Worker();

    /** Whether daemon-wait mode is on; false unless set. */
    public boolean isDaemonWait() {
        return this.daemonWait;
    }

    /** Sets whether daemon-wait mode is on. */
    public void setDaemonWait(boolean daemonWait) {
        this.daemonWait = daemonWait;
    }

    /** The detached copy's log file as configured; "demo-app.log" unless set. */
    public String getLogFile() {
        return this.logFile;
    }

    /** Sets the detached copy's log file. */
    public void setLogFile(String logFile) {
        this.logFile = logFile;
    }

    /** The configured wait of daemon-wait mode, or null when unset. */
    public @Nullable Duration getDaemonWaitTimeout() {
        return this.daemonWaitTimeout;
    }

    /**
     * Sets the wait of daemon-wait mode.
     * @throws IllegalArgumentException if it is negative
     */
    public void setDaemonWaitTimeout(@Nullable Duration daemonWaitTimeout) {
        this.daemonWaitTimeout = (daemonWaitTimeout != null) ? notNegative(daemonWaitTimeout) : null;
    }

    /**
     * How long daemon-wait mode waits for the token.
     * @return demo.daemon-wait-timeout when set, otherwise demo.worker.timeout plus 60 seconds
     */
    public Duration effectiveDaemonWaitTimeout() {
        return (this.daemonWaitTimeout != null) ? this.daemonWaitTimeout
                : this.worker.getTimeout().plus(Duration.ofSeconds(60));
    }

    /** The worker settings; never null. */
    public Worker getWorker() {
        return this.worker;
    }

    static Duration notNegative(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("must be zero or more, not " + duration);
        }
        return duration;
    }

    /** The background worker process. */
    public static class Worker {

        /**
         * How long the worker's preparation (building its index) takes before it signals readiness.
         */
        private Duration delay = Duration.ofSeconds(2);

        /**
         * Whether the worker reports that its preparation failed (token 0) instead of signalling readiness.
         */
        private boolean fail;

        /**
         * Whether the worker exits with code 3 during its preparation without writing a token.
         */
        private boolean crash;

        /**
         * How long the application waits, from the worker's start, for its readiness token before start-up
         * fails.
         */
        private Duration timeout = Duration.ofSeconds(30);

        /**
         * Log file (standard output and error, truncated at each start) of the worker. When unset, the worker
         * writes to the application's own standard output and error, so its lines show among the application's.
         */
        private @Nullable String logFile;

        /** The preparation time; 2 seconds unless set. */
        public Duration getDelay() {
            return this.delay;
        }

        /**
         * Sets the preparation time.
         * @throws IllegalArgumentException if it is negative
         */
        public void setDelay(Duration delay) {
            this.delay = notNegative(delay);
        }

        /** Whether the worker reports failure; false unless set. */
        public boolean isFail() {
            return this.fail;
        }

        /** Sets whether the worker reports failure. */
        public void setFail(boolean fail) {
            this.fail = fail;
        }

        /** Whether the worker crashes during preparation; false unless set. */
        public boolean isCrash() {
            return this.crash;
        }

        /** Sets whether the worker crashes during preparation. */
        public void setCrash(boolean crash) {
            this.crash = crash;
        }

        /** The readiness timeout; 30 seconds unless set. */
        public Duration getTimeout() {
            return this.timeout;
        }

        /**
         * Sets the readiness timeout.
         * @throws IllegalArgumentException if it is negative
         */
        public void setTimeout(Duration timeout) {
            this.timeout = notNegative(timeout);
        }

        /** The worker's log file as configured, or null when it shares the application's output. */
        public @Nullable String getLogFile() {
            return this.logFile;
        }

        /** Sets the worker's log file; null to share the application's output. */
        public void setLogFile(@Nullable String logFile) {
            this.logFile = logFile;
        }

    }

}
