package io.tokenpipe.spring.boot;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;

/**
 * Tells the readiness notifiers of an application that it is ready once Boot has announced it and every listener of
 * the announcement has returned. Boot calls the run listeners' {@code ready} in order: its own
 * {@code EventPublishingRunListener} (order 0) publishes {@code ApplicationReadyEvent} and then
 * {@link ReadinessState#ACCEPTING_TRAFFIC}, and this one comes after it. A listener of either event that throws
 * fails the run before this is called, so the parent gets the failure token and systemd the failure, never a ready
 * first. A listener in the starter itself could not promise that: the multicaster calls the application's own
 * listeners of the same order after it. Registered in {@code META-INF/spring.factories}.
 */
public final class ReadinessRunListener implements SpringApplicationRunListener, Ordered {

    private final SpringApplication application;

    /**
     * Created by Spring Boot for each run.
     * @param application the application being run
     * @param args its arguments
     */
    public ReadinessRunListener(SpringApplication application, String[] args) {
        this.application = application;
    }

    @Override
    public void ready(ConfigurableApplicationContext context, @Nullable Duration timeTaken) {
        for (ApplicationListener<?> listener : this.application.getListeners()) {
            if (listener instanceof TokenPipeReadinessNotifier pipe) {
                pipe.applicationReady(context);
            }
            else if (listener instanceof SystemdReadinessNotifier systemd) {
                systemd.applicationReady(context, timeTaken);
            }
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

}
