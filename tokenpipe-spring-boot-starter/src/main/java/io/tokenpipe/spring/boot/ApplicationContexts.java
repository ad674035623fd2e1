package io.tokenpipe.spring.boot;

import java.lang.StackWalker.StackFrame;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.aot.AbstractAotProcessor;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Which run of a SpringApplication speaks for the process: the listeners that tell another process about this
 * one (the readiness token, systemd, daemon mode) act only for the application itself, never for a Spring Cloud
 * bootstrap context, an AOT processing run, or the parent a {@link SpringApplicationBuilder} starts first.
 */
final class ApplicationContexts {

    /** The property source Spring Cloud adds to the environment of its bootstrap context. */
    private static final String BOOTSTRAP_PROPERTY_SOURCE = "bootstrap";

    private ApplicationContexts() {
    }

    /**
     * Why a run with {@code environment} does not speak for the process.
     * @param environment the environment of the run, as prepared
     * @return "AOT processing" ({@code spring.aot.processing=true}, set by {@code spring-boot:process-aot}, which
     * runs the application at build time only to record its bean definitions), "Spring Cloud bootstrap context"
     * (its environment has the {@code bootstrap} property source; its readiness says nothing about the
     * application still to start), or null for the application itself
     */
    static @Nullable String notTheApplication(ConfigurableEnvironment environment) {
        if (Boolean.getBoolean(AbstractAotProcessor.AOT_PROCESSING)) {
            return "AOT processing";
        }
        if (environment.getPropertySources().contains(BOOTSTRAP_PROPERTY_SOURCE)) {
            return "Spring Cloud bootstrap context";
        }
        return null;
    }

    /**
     * Whether a {@link SpringApplicationBuilder} runs this application on its way to another one: the parent of a
     * {@code child(...)} (or the first child of a {@code sibling(...)}), which it runs from its own code before
     * that application even exists. Its readiness says nothing about the application the builder was asked to
     * run, which is still to start and may fail. An application run by the user's code has no such frame.
     * @return true when called, on the thread that runs it, for such an intermediate application
     */
    static boolean startedForAnotherApplication() {
        List<StackFrame> stack = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
            .walk((frames) -> frames.toList());
        for (int i = 0; i + 1 < stack.size(); i++) {
            StackFrame called = stack.get(i);
            StackFrame caller = stack.get(i + 1);
            // SpringApplicationBuilder.run() called by the builder's own code (not by a subclass's run())
            if (isBuilder(called) && called.getMethodName().equals("run") && isBuilder(caller)
                    && !caller.getMethodName().equals("run")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether an availability change belongs to the application whose context is {@code context}. A context
     * publishes its events to its parent too, so a child context (one an application starts with
     * {@code SpringApplicationBuilder.parent(...)}, a plugin) would otherwise speak for its parent: Boot publishes
     * its readiness and liveness with the context as the source. A change published by the application's own code,
     * with one of its beans as the source, counts as the application's.
     * @param change the event
     * @param context the application's context, null before it is prepared
     * @return false when the source is another application context
     */
    static boolean isFrom(AvailabilityChangeEvent<?> change, @Nullable ApplicationContext context) {
        return !(change.getSource() instanceof ApplicationContext source) || source == context;
    }

    private static boolean isBuilder(StackFrame frame) {
        return SpringApplicationBuilder.class.isAssignableFrom(frame.getDeclaringClass());
    }

}
