package io.tokenpipe.demo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Logs every change of the application's readiness, so that the output shows when traffic is accepted. */
@Component
class ReadinessLog {

    private static final Logger logger = LoggerFactory.getLogger(ReadinessLog.class);

    /** Logs the new readiness state and what the readiness probe answers now. */
    @EventListener
    void onReadinessChange(AvailabilityChangeEvent<ReadinessState> event) {
        ReadinessState state = event.getState();
        logger.info("Readiness state is now {}: GET /actuator/health/readiness answers {}", state,
                (state == ReadinessState.ACCEPTING_TRAFFIC) ? "UP" : "OUT_OF_SERVICE");
    }

}
