package io.tokenpipe.demo;

import org.jspecify.annotations.Nullable;

/**
 * The background worker at one moment, as {@code GET /worker} returns it. Times are ISO-8601 instants.
 *
 * @param pid the worker's process id; null before it was started
 * @param state where it is in its life
 * @param token the token it wrote into the readiness pipe (1 ready, 0 failed, another value if it misbehaved);
 * null while none was received (preparing, died, timed out)
 * @param startedAt when it was started; null before
 * @param readyAt when its ready token arrived; null unless it became ready
 * @param failedAt when start-up failed because of it; null unless it failed
 * @param endedAt when it exited (stopped, or on its own after it was ready); null while it runs
 * @param preparationMillis milliseconds from its start to its token (or to the failure); null while preparing
 * @param exitCode its exit code (143 after SIGTERM, 137 after SIGKILL); null while it runs
 * @param failure why start-up failed, e.g. "worker pid 1234 exited with code 3 before signalling readiness";
 * null unless it failed
 * @param delay the preparation time it was given (demo.worker.delay), e.g. "2s"
 * @param timeout how long the application waits for its token (demo.worker.timeout), e.g. "30s"
 */
public record WorkerStatus(@Nullable Long pid, WorkerState state, @Nullable Integer token, @Nullable String startedAt,
        @Nullable String readyAt, @Nullable String failedAt, @Nullable String endedAt,
        @Nullable Long preparationMillis, @Nullable Integer exitCode, @Nullable String failure, String delay,
        String timeout) {
}
