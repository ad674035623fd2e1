package io.tokenpipe.demo;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /worker}: the background worker's pid, state, token and timings, as JSON. */
@RestController
class WorkerController {

    private final BackgroundWorker worker;

    WorkerController(BackgroundWorker worker) {
        this.worker = worker;
    }

    /**
     * The worker now.
     * @return its status; never null
     */
    @GetMapping("/worker")
    WorkerStatus worker() {
        return this.worker.status();
    }

}
