package io.tokenpipe.spring.boot;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;

/**
 * A {@code tokenpipe.*} property (or the environment variable {@code TOKENPIPE_NOTIFY_FD}) has a value that
 * cannot be used. Thrown during start-up; {@code TokenPipeFailureAnalyzer} turns it into the "APPLICATION
 * FAILED TO START" report with its description and action.
 */
public class InvalidTokenPipePropertyException extends IllegalStateException {

    private final String name;

    private final Object value;

    private final String reason;

    private final String action;

    private final @Nullable String origin;

    /**
     * Creates the exception.
     * @param name the property, e.g. {@code tokenpipe.max-open-pipes}
     * @param value the value that was refused
     * @param reason the rule it breaks, e.g. "must be 1 or more"
     * @param action what to do about it, one or two sentences
     * @param origin where the value came from ("class path resource [application.properties] - 1:26"), or
     * null when unknown
     */
    public InvalidTokenPipePropertyException(String name, Object value, String reason, String action,
            @Nullable String origin) {
        super("Invalid value '" + value + "' for configuration property '" + name + "'"
                + ((origin != null) ? " (originating from '" + origin + "')" : "") + ": " + reason);
        this.name = name;
        this.value = value;
        this.reason = reason;
        this.action = action;
        this.origin = origin;
    }

    /**
     * Creates the exception with the origin Boot tracks for the property's value in {@code environment}, such as
     * {@code class path resource [application.properties] - 1:26}.
     * @param name the property, e.g. {@code tokenpipe.max-open-pipes}
     * @param value the value that was refused
     * @param reason the rule it breaks, e.g. "must be 1 or more"
     * @param action what to do about it, one or two sentences
     * @param environment the environment the value was read from, or null when there is none
     * @return the exception, to be thrown
     */
    public static InvalidTokenPipePropertyException of(String name, Object value, String reason, String action,
            @Nullable Environment environment) {
        return new InvalidTokenPipePropertyException(name, value, reason, action, PropertyOrigins.of(environment, name));
    }

    /**
     * The property name.
     * @return the name, e.g. {@code tokenpipe.notify.fd}
     */
    public String getName() {
        return this.name;
    }

    /**
     * The refused value.
     * @return the value as it was configured
     */
    public Object getValue() {
        return this.value;
    }

    /**
     * The rule the value breaks.
     * @return the rule, e.g. "must be 1 or more"
     */
    public String getReason() {
        return this.reason;
    }

    /**
     * What to do about it.
     * @return one or two sentences for the "Action:" of the failure analysis
     */
    public String getAction() {
        return this.action;
    }

    /**
     * Where the value came from.
     * @return the origin, or null when unknown
     */
    public @Nullable String getOrigin() {
        return this.origin;
    }

}
