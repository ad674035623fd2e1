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

    private final Worker worker = new Worker();

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
