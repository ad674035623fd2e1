package io.tokenpipe.spring.boot;

import org.jspecify.annotations.Nullable;

/**
 * Readiness notification was asked for ({@code tokenpipe.notify.fd} or {@code TOKENPIPE_NOTIFY_FD}) but this
 * JVM cannot use token pipes: their native layer ({@code java.lang.foreign} on Java 22 and later, JNA on Java
 * 17-21) did not load (an unsupported platform, JNA unable to load its library, native access denied). Thrown
 * during start-up; {@code TokenPipesUnavailableFailureAnalyzer} reports the reason and how to fix it.
 */
public class TokenPipesUnavailableException extends IllegalStateException {

    /** Why the native layer is not available, as the platform says it. */
    private final String reason;

    /**
     * Creates the exception.
     * @param property the property that asked for notification, e.g. {@code tokenpipe.notify.fd}
     * @param fd the descriptor it names
     * @param origin where the value came from, or null when unknown
     * @param reason why the native layer is not available, as the platform says it
     */
    public TokenPipesUnavailableException(String property, int fd, @Nullable String origin, String reason) {
        super("Readiness notification to fd " + fd + " (" + property + ((origin != null) ? ", from " + origin : "")
                + ") needs token pipes, but they are not available in this JVM: " + reason);
        this.reason = reason;
    }

    /**
     * Why the native layer is not available.
     * @return the reason as the platform gives it, e.g. "Could not find JNA native support" (JNA)
     */
    public String getReason() {
        return this.reason;
    }

    /**
     * What to do about it.
     * @return the fixes for the usual causes, for the "Action:" of the failure analysis
     */
    public String getAction() {
        return "Token pipes need their native layer: java.lang.foreign (FFM) on Java 22 and later, JNA on Java 17-21"
                + " (or where -Dtokenpipe.native=jna forces it). If JNA cannot load its library, point jna.tmpdir at a"
                + " writable directory that allows executing files (-Djna.tmpdir=/path; a /tmp mounted noexec cannot"
                + " load it). On Java 22 and later, with FFM and with JNA, allow native access:"
                + " --enable-native-access=ALL-UNNAMED (or 'Enable-Native-Access: ALL-UNNAMED' in an executable jar's"
                + " manifest), and never --illegal-native-access=deny. Only Linux (x86-64, aarch64), macOS and Windows"
                + " on 64-bit CPUs are supported. Or unset tokenpipe.notify.fd and TOKENPIPE_NOTIFY_FD to start without"
                + " readiness notification.";
    }

}
