package io.tokenpipe.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.metrics.ApplicationStartup;
import org.springframework.core.metrics.StartupStep;

/**
 * Where the main thread's CPU time goes in one start-up of {@link StartupApp}, run once per fresh JVM (with or
 * without the starter on the class path, as StartupApp). Spring's {@code BufferingApplicationStartup} records wall
 * time, which another process on the machine stretches; this records the main thread's CPU time per start-up step
 * instead, and wraps the listeners from {@code spring.factories} of tokenpipe to time each. Prints
 * {@code at <step> <CPU ms since run() began>} and {@code step <step> <CPU ms>} for Boot's top-level steps,
 * {@code beans <CPU ms>} for creating the tokenpipe beans (exclusive of beans created inside them that are not
 * tokenpipe's), {@code listener <class>/<event> <CPU ms>}, and {@code total <CPU ms of run()>}.
 */
public final class StartupSteps {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static final Thread MAIN = Thread.currentThread();

    private static final Map<String, long[]> listenerNanos = new TreeMap<>();

    private static final Deque<Step> open = new ArrayDeque<>();

    private static final List<Step> ended = new ArrayList<>();

    private static long runStart;

    private static long ids;

    private StartupSteps() {
    }

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(StartupApp.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        application.setLogStartupInfo(false);
        application.setDefaultProperties(Map.of("logging.level.root", "warn"));
        List<ApplicationListener<?>> listeners = new ArrayList<>();
        for (ApplicationListener<?> listener : application.getListeners()) {
            listeners.add(listener.getClass().getName().startsWith("io.tokenpipe.")
                    ? new TimedListener((SmartApplicationListener) listener) : listener);
        }
        application.setListeners(listeners);
        application.setApplicationStartup(new CpuStartup());
        runStart = THREADS.getCurrentThreadCpuTime();
        try (ConfigurableApplicationContext context = application.run()) {
            long total = THREADS.getCurrentThreadCpuTime() - runStart;
            double beans = 0;
            for (Step step : ended) {
                if (step.parent == null) {
                    System.out.printf("at %s %.1f%n", step.name, (step.cpuStart - runStart) / 1e6);
                    System.out.printf("step %s %.1f%n", step.name, step.cpu / 1e6);
                }
                if (step.isTokenPipeBean() && (step.parent == null || !step.parent.isTokenPipeBean())) {
                    beans += (step.cpu - step.otherBeansInside()) / 1e6;
                }
            }
            System.out.printf("beans %.1f%n", beans);
            listenerNanos.forEach((name, nanos) -> System.out.printf("listener %s %.2f%n", name, nanos[0] / 1e6));
            System.out.printf("total %.1f%n", total / 1e6);
        }
    }

    /**
     * A listener of tokenpipe's, timed on every event. Not a record: the event multicaster hashes its listeners, and
     * a record's first hashCode() bootstraps ObjectMethods, which would add milliseconds that are not the starter's.
     */
    private static final class TimedListener implements SmartApplicationListener {

        private final SmartApplicationListener listener;

        TimedListener(SmartApplicationListener listener) {
            this.listener = listener;
        }

        @Override
        public boolean supportsEventType(Class<? extends ApplicationEvent> eventType) {
            return this.listener.supportsEventType(eventType);
        }

        @Override
        public boolean supportsSourceType(Class<?> sourceType) {
            return this.listener.supportsSourceType(sourceType);
        }

        @Override
        public int getOrder() {
            return this.listener.getOrder();
        }

        @Override
        public void onApplicationEvent(ApplicationEvent event) {
            long start = THREADS.getCurrentThreadCpuTime();
            try {
                this.listener.onApplicationEvent(event);
            }
            finally {
                long nanos = THREADS.getCurrentThreadCpuTime() - start;
                String name = this.listener.getClass().getSimpleName() + "/" + event.getClass().getSimpleName();
                listenerNanos.computeIfAbsent(name, (key) -> new long[1])[0] += nanos;
            }
        }

    }

    /** Records the main thread's CPU time per step; steps of other threads are not recorded. */
    private static final class CpuStartup implements ApplicationStartup {

        @Override
        public StartupStep start(String name) {
            if (Thread.currentThread() != MAIN) {
                return ApplicationStartup.DEFAULT.start(name);
            }
            Step step = new Step(name, ids++, open.peek());
            open.push(step);
            return step;
        }

    }

    private static final class Step implements StartupStep {

        private final String name;

        private final long id;

        private final Step parent;

        private final List<Step> children = new ArrayList<>();

        private final long cpuStart = THREADS.getCurrentThreadCpuTime();

        private String beanName = "";

        private long cpu;

        Step(String name, long id, Step parent) {
            this.name = name;
            this.id = id;
            this.parent = parent;
        }

        boolean isTokenPipeBean() {
            return this.name.equals("spring.beans.instantiate") && this.beanName.toLowerCase().contains("tokenpipe");
        }

        /** CPU time of the beans created inside this one that are not tokenpipe's (Boot's, created on demand). */
        long otherBeansInside() {
            long nanos = 0;
            for (Step child : this.children) {
                nanos += child.isTokenPipeBean() ? child.otherBeansInside() : child.cpu;
            }
            return nanos;
        }

        @Override
        public String getName() {
            return this.name;
        }

        @Override
        public long getId() {
            return this.id;
        }

        @Override
        public Long getParentId() {
            return (this.parent != null) ? this.parent.id : null;
        }

        @Override
        public StartupStep tag(String key, String value) {
            if (key.equals("beanName")) {
                this.beanName = value;
            }
            return this;
        }

        @Override
        public StartupStep tag(String key, Supplier<String> value) {
            return tag(key, value.get());
        }

        @Override
        public Tags getTags() {
            return Collections::emptyIterator;
        }

        @Override
        public void end() {
            this.cpu = THREADS.getCurrentThreadCpuTime() - this.cpuStart;
            open.remove(this);
            ended.add(this);
            if (this.parent != null) {
                this.parent.children.add(this);
            }
        }

    }

}
