package io.tokenpipe.demo;

import org.springframework.boot.ExitCodeGenerator;

/**
 * The background worker did not become ready, so the application does not start: it reported failure
 * (token 0), died first (end of stream), or was too slow. The message says which, naming the worker's pid
 * (and exit code); {@link #getAction()} says what to do. The application exits with code 1.
 */
public class WorkerStartupException extends IllegalStateException implements ExitCodeGenerator {

    /** The exit code of an application whose worker did not become ready. */
    public static final int EXIT_CODE = 1;

    private final String action;

    /**
     * @param message what happened, e.g. "worker pid 1234 exited with code 3 before signalling readiness"
     * @param action what to do about it
     * @param cause the underlying failure, or null
     */
    public WorkerStartupException(String message, String action, Throwable cause) {
        super(message, cause);
        this.action = action;
    }

    /** What to do about it; never null. */
    public String getAction() {
        return this.action;
    }

    /** {@value #EXIT_CODE}: Spring Boot exits the JVM with it when start-up fails with this exception. */
    @Override
    public int getExitCode() {
        return EXIT_CODE;
    }

}
