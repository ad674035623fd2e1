package io.tokenpipe.spring.boot;

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
     * Readiness notification to the process that started this one: one token written into an inherited pipe
     * once the application is ready, or when its start-up fails.
     */
    public static class Notify {

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

    }

}
