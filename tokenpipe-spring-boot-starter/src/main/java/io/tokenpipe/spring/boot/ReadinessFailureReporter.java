package io.tokenpipe.spring.boot;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.SpringBootExceptionReporter;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Tells the readiness notifiers of an application that its run failed, whatever the phase. Boot calls every
 * {@link SpringBootExceptionReporter} for every failed run, before it closes the context; it publishes an
 * {@code ApplicationFailedEvent} for most failures, but not for one thrown by an {@code ApplicationReadyEvent}
 * listener, after which the parent would otherwise read end of stream and systemd would hear "Stopping". Registered
 * in {@code META-INF/spring.factories}; reports nothing itself (Boot's own reporting goes on as usual).
 */
public final class ReadinessFailureReporter implements SpringBootExceptionReporter {

    /** The notifiers of each prepared application context, until it closes or its run fails. */
    private static final Map<ApplicationContext, List<Consumer<Throwable>>> notifiers = new ConcurrentHashMap<>();

    private final @Nullable ConfigurableApplicationContext context;

    /**
     * Created by Spring Boot for a failed run.
     * @param context the run's context, null when it failed before there was one
     */
    public ReadinessFailureReporter(@Nullable ConfigurableApplicationContext context) {
        this.context = context;
    }

    /** A notifier of {@code context} that reports a failed run to its parent. */
    static void register(ApplicationContext context, Consumer<Throwable> onFailure) {
        notifiers.computeIfAbsent(context, (key) -> new CopyOnWriteArrayList<>()).add(onFailure);
    }

    /** The context closed: nothing left to report for it. */
    static void forget(ApplicationContext context) {
        notifiers.remove(context);
    }

    @Override
    public boolean reportException(Throwable failure) {
        List<Consumer<Throwable>> registered = (this.context != null) ? notifiers.remove(this.context) : null;
        if (registered != null) {
            registered.forEach((notifier) -> notifier.accept(failure));
        }
        return false;
    }

}
