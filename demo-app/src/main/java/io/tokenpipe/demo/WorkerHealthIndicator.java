package io.tokenpipe.demo;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * Health component {@code worker}: UP while the background worker serves, OUT_OF_SERVICE before it is ready
 * (and after it was stopped), DOWN when it failed to become ready or died afterwards. Details: pid, state,
 * token, exit code.
 */
@Component("workerHealthIndicator")
class WorkerHealthIndicator extends AbstractHealthIndicator {

    private final BackgroundWorker worker;

    WorkerHealthIndicator(BackgroundWorker worker) {
        super("Worker health check failed");
        this.worker = worker;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        WorkerStatus status = this.worker.status();
        builder.status(switch (status.state()) {
            case READY -> Status.UP;
            case FAILED, EXITED -> Status.DOWN;
            case NOT_STARTED, PREPARING, STOPPED -> Status.OUT_OF_SERVICE;
        });
        builder.withDetail("state", status.state());
        if (status.pid() != null) {
            builder.withDetail("pid", status.pid());
        }
        if (status.token() != null) {
            builder.withDetail("token", status.token());
        }
        if (status.exitCode() != null) {
            builder.withDetail("exitCode", status.exitCode());
        }
    }

}
