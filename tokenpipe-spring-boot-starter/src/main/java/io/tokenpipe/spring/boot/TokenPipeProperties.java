package io.tokenpipe.spring.boot;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for token pipes, under {@code tokenpipe}. Values are checked when they are used
 * (a bad one fails start-up with an {@link InvalidTokenPipePropertyException} naming the property, the value
 * and the rule), so that binding stays plain and every property keeps its generated metadata.
 */
@ConfigurationProperties("tokenpipe")
public class TokenPipeProperties {

    /** The default of {@code tokenpipe.max-open-pipes}. */
    public static final int DEFAULT_MAX_OPEN_PIPES = 1024;

    /**
     * Whether to enable the token pipe auto-configuration and the readiness notification.
     */
    private boolean enabled = true;

    /**
     * Maximum number of token pipes the TokenPipeFactory keeps open at once (each uses two file
     * descriptors until its ends are closed); must be 1 or more.
     */
    private int maxOpenPipes = DEFAULT_MAX_OPEN_PIPES;

    private final Notify notify = new Notify();

    private final Daemon daemon = new Daemon();

    /**
     * Whether the auto-configuration and the readiness notification are on.
     * @return true unless set to false
     */
    public boolean isEnabled() {
        return this.enabled;
    }

    /**
     * Sets whether the auto-configuration and the readiness notification are on.
     * @param enabled false to back off completely
     */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /**
     * The limit on open pipes as configured (not yet checked).
     * @return the limit; 1024 unless set
     */
    public int getMaxOpenPipes() {
        return this.maxOpenPipes;
    }

    /**
     * Sets the limit on open pipes; checked (1 or more) when the factory is created.
     * @param maxOpenPipes the limit
     */
    public void setMaxOpenPipes(int maxOpenPipes) {
        this.maxOpenPipes = maxOpenPipes;
    }

    /**
     * The readiness-notification settings.
     * @return the settings, never null
     */
    public Notify getNotify() {
        return this.notify;
    }

    /**
     * The daemon-mode settings.
     * @return the settings, never null
     */
    public Daemon getDaemon() {
        return this.daemon;
    }

    /**
     * Readiness notification to the process that started this one: one token written into an inherited pipe
     * once the application is ready, or when its start-up fails; and systemd's notification socket.
     */
    public static class Notify {

        private final Systemd systemd = new Systemd();

        /**
         * Inherited file descriptor (the write end of a pipe or FIFO, 3 or above) to write the readiness token
         * into. When unset, the environment variable TOKENPIPE_NOTIFY_FD is used; when neither is set, no
         * notification is sent.
         */
        private @Nullable Integer fd;

        /**
         * Token (0-255) written once the application is ready to accept traffic.
         */
        private int readyToken = 1;

        /**
         * Token (0-255) written when the application fails to start.
         */
        private int failureToken = 0;

        /**
         * The configured descriptor.
         * @return the descriptor, or null when {@code tokenpipe.notify.fd} is not set
         */
        public @Nullable Integer getFd() {
            return this.fd;
        }

        /**
         * Sets the descriptor to notify.
         * @param fd the descriptor, or null to turn the property off
         */
        public void setFd(@Nullable Integer fd) {
            this.fd = fd;
        }

        /**
         * The token written when ready, as configured (not yet checked).
         * @return the token; 1 unless set
         */
        public int getReadyToken() {
            return this.readyToken;
        }

        /**
         * Sets the token written when ready; checked (0..255) at start-up.
         * @param readyToken the token
         */
        public void setReadyToken(int readyToken) {
            this.readyToken = readyToken;
        }

        /**
         * The token written when start-up fails, as configured (not yet checked).
         * @return the token; 0 unless set
         */
        public int getFailureToken() {
            return this.failureToken;
        }

        /**
         * Sets the token written when start-up fails; checked (0..255) at start-up.
         * @param failureToken the token
         */
        public void setFailureToken(int failureToken) {
            this.failureToken = failureToken;
        }

        /**
         * The systemd notification settings.
         * @return the settings, never null
         */
        public Systemd getSystemd() {
            return this.systemd;
        }

    }

    /**
     * Notification of systemd (or any service manager speaking its protocol) through the socket named by the
     * environment variable NOTIFY_SOCKET: READY=1, STATUS=, STOPPING=1, RELOADING=1 (a context closed while the JVM
     * goes on, as in a restart), ERRNO= and WATCHDOG=1.
     */
    public static class Systemd {

        /** The default of {@code tokenpipe.notify.systemd.watchdog-health-group}. */
        public static final String DEFAULT_WATCHDOG_HEALTH_GROUP = "liveness";

        /**
         * Whether to notify systemd when the environment variable NOTIFY_SOCKET is set.
         */
        private boolean enabled = true;

        /**
         * Health group whose status must be UP for WATCHDOG=1 to be sent, when the environment variable
         * WATCHDOG_USEC asks for a watchdog. Without actuator, or when the default group does not exist, the
         * application's LivenessState must be CORRECT instead.
         */
        private String watchdogHealthGroup = DEFAULT_WATCHDOG_HEALTH_GROUP;

        /**
         * Whether systemd notification is on.
         * @return true unless set to false
         */
        public boolean isEnabled() {
            return this.enabled;
        }

        /**
         * Sets whether systemd notification is on.
         * @param enabled false to send nothing to NOTIFY_SOCKET
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /**
         * The health group that gates the watchdog.
         * @return the group name; {@value #DEFAULT_WATCHDOG_HEALTH_GROUP} unless set
         */
        public String getWatchdogHealthGroup() {
            return this.watchdogHealthGroup;
        }

        /**
         * Sets the health group that gates the watchdog; checked once the context has refreshed.
         * @param watchdogHealthGroup the group name
         */
        public void setWatchdogHealthGroup(String watchdogHealthGroup) {
            this.watchdogHealthGroup = watchdogHealthGroup;
        }

    }

    /**
     * Daemon mode, bitcoind's -daemonwait for any application with the starter: the JVM that is launched starts
     * a detached copy of the application, waits for its readiness token and exits, 0 once the copy is ready.
     */
    public static class Daemon {

        /** The default of {@code tokenpipe.daemon.log-file}. */
        public static final String DEFAULT_LOG_FILE = "/dev/null";

        /**
         * Whether to start the application as a detached copy of this JVM, wait until it is ready, and exit: 0
         * once the copy is ready, 1 when it fails, dies or is not ready in time. Also set by the environment
         * variable TOKENPIPE_DAEMON_WAIT.
         */
        private boolean wait;

        /**
         * File the detached copy writes its standard output and standard error to.
         */
        private String logFile = DEFAULT_LOG_FILE;

        /**
         * How long to wait for the detached copy to be ready before stopping it and exiting with 1.
         */
        private Duration timeout = Duration.ofSeconds(60);

        /**
         * File to write the detached copy's pid to once it is ready (before the launcher exits with 0). The copy
         * removes it when it exits.
         */
        private @Nullable String pidFile;

        /**
         * Whether daemon mode is requested.
         * @return false unless set
         */
        public boolean isWait() {
            return this.wait;
        }

        /**
         * Sets whether daemon mode is requested.
         * @param wait true to start a detached copy and wait for it
         */
        public void setWait(boolean wait) {
            this.wait = wait;
        }

        /**
         * The detached copy's log file.
         * @return the path as configured; {@value #DEFAULT_LOG_FILE} unless set
         */
        public String getLogFile() {
            return this.logFile;
        }

        /**
         * Sets the detached copy's log file (created or truncated).
         * @param logFile the path
         */
        public void setLogFile(String logFile) {
            this.logFile = logFile;
        }

        /**
         * How long the launcher waits for the copy.
         * @return the timeout; 60 seconds unless set
         */
        public Duration getTimeout() {
            return this.timeout;
        }

        /**
         * Sets how long the launcher waits for the copy; checked (more than zero) when it starts.
         * @param timeout the timeout
         */
        public void setTimeout(Duration timeout) {
            this.timeout = timeout;
        }

        /**
         * The pid file.
         * @return the path as configured, or null when none is written
         */
        public @Nullable String getPidFile() {
            return this.pidFile;
        }

        /**
         * Sets the pid file.
         * @param pidFile the path, or null to write none
         */
        public void setPidFile(@Nullable String pidFile) {
            this.pidFile = pidFile;
        }

    }

}
