package io.tokenpipe.demo;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.stereotype.Component;

/**
 * Holds the application's readiness until the background worker is ready. Spring Boot publishes
 * {@link ReadinessState#ACCEPTING_TRAFFIC} only after every runner has returned, while the web server already
 * answers: so {@code /actuator/health/readiness} says OUT_OF_SERVICE while this runner waits, and UP once the
 * worker's token 1 has arrived. If the worker fails, this runner throws and start-up fails (exit code 1).
 */
@Component
class WorkerReadinessRunner implements ApplicationRunner {

    private final BackgroundWorker worker;

    WorkerReadinessRunner(BackgroundWorker worker) {
        this.worker = worker;
    }

    /**
     * Waits for the worker's readiness token.
     * @throws WorkerStartupException if the worker did not become ready (the message says why)
     */
    @Override
    public void run(ApplicationArguments args) {
        this.worker.awaitReady();
    }

}
