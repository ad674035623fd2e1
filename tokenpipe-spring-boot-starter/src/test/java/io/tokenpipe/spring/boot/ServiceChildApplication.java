package io.tokenpipe.spring.boot;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * A long-running Spring Boot application for the tests that start it as a real process: under systemd, as a
 * daemon, or with NOTIFY_SOCKET pointing at a python receiver. It knows nothing of systemd or token pipes; the
 * starter does the work. Settings (as arguments):
 * <ul>
 * <li>{@code --child.delay=5s}: its runner takes that long (start-up is not finished before);</li>
 * <li>{@code --child.fail=true}: a bean fails, so start-up fails with "the database is not there";</li>
 * <li>{@code --child.await-file=/path}: its runner waits until that file exists (start-up is not finished
 * before), at most 120 s: then start-up fails;</li>
 * <li>{@code --child.exit-when-ready=true}: once it is ready (its readiness token written), it exits with 0;</li>
 * <li>{@code --child.exit-hold-dir=/dir}: its exit waits, in a shutdown hook, until the starter's pid file hook
 * has had its first look (it ended, or it waits), then creates {@code /dir/looked} and waits for
 * {@code /dir/release} (needs {@code --add-opens java.base/java.lang=ALL-UNNAMED});</li>
 * <li>{@code --child.broken-file=/path}: once that file exists, the application publishes
 * {@code LivenessState.BROKEN}, and {@code CORRECT} again once it is gone.</li>
 * </ul>
 * Otherwise it runs until it is stopped (SIGTERM closes the context through Boot's shutdown hook).
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
public class ServiceChildApplication {

    /** How long {@code --child.await-file} waits before start-up fails. */
    private static final Duration AWAIT_FILE_GUARD = Duration.ofSeconds(120);

    public static void main(String[] args) throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ServiceChildApplication.class)
            .web(WebApplicationType.NONE)
            .bannerMode(Banner.Mode.OFF)
            .run(args);
        String holdDir = context.getEnvironment().getProperty("child.exit-hold-dir");
        if (holdDir != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(exitHold(Path.of(holdDir)), "child-exit-hold"));
        }
        if (context.getEnvironment().getProperty("child.exit-when-ready", Boolean.class, false)) {
            System.exit(0); // run() returns after ApplicationReadyEvent and readiness: the token is written
        }
        Thread.currentThread().join(); // until SIGTERM
    }

    /**
     * Waits until the starter's pid file hook ("tokenpipe-pid-file"), found among the hooks registered so far
     * (which needs {@code --add-opens java.base/java.lang=ALL-UNNAMED}), has had its first look: it ended, or it
     * waits. All hooks start before any is joined.
     */
    private static Runnable exitHold(Path dir) throws ReflectiveOperationException {
        Field field = Class.forName("java.lang.ApplicationShutdownHooks").getDeclaredField("hooks");
        field.setAccessible(true);
        Thread pidFileHook;
        synchronized (Class.forName("java.lang.ApplicationShutdownHooks")) {
            pidFileHook = ((Map<?, ?>) field.get(null)).keySet().stream().map(Thread.class::cast)
                .filter((thread) -> thread.getName().equals("tokenpipe-pid-file")).findFirst().orElseThrow();
        }
        return () -> {
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (pidFileHook.getState() != Thread.State.TERMINATED
                        && pidFileHook.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                Files.createFile(dir.resolve("looked"));
                deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!Files.exists(dir.resolve("release")) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            }
            catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        };
    }

    @Bean
    ApplicationRunner slowStartUp(Environment environment) {
        return (args) -> Thread.sleep(environment.getProperty("child.delay", Duration.class, Duration.ZERO).toMillis());
    }

    @Bean
    ApplicationRunner awaitFile(Environment environment) {
        return (args) -> {
            String file = environment.getProperty("child.await-file");
            long deadline = System.nanoTime() + AWAIT_FILE_GUARD.toNanos(); // a hang guard: a test that died
            while (file != null && !Files.exists(Path.of(file))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no " + file + " after " + AWAIT_FILE_GUARD.toSeconds() + " s");
                }
                Thread.sleep(10);
            }
        };
    }

    @Bean
    Object database(Environment environment) {
        if (environment.getProperty("child.fail", Boolean.class, false)) {
            throw new IllegalStateException("the database is not there");
        }
        return "database";
    }

    @Bean
    ApplicationRunner livenessFromFile(Environment environment, ApplicationContext context) {
        return (args) -> {
            String file = environment.getProperty("child.broken-file");
            if (file == null) {
                return;
            }
            Thread watcher = new Thread(() -> {
                boolean broken = false;
                while (true) {
                    boolean now = Files.exists(Path.of(file));
                    if (now != broken) {
                        broken = now;
                        AvailabilityChangeEvent.publish(context, broken ? LivenessState.BROKEN : LivenessState.CORRECT);
                    }
                    try {
                        Thread.sleep(20);
                    }
                    catch (InterruptedException ex) {
                        return;
                    }
                }
            }, "broken-file-watcher");
            watcher.setDaemon(true);
            watcher.start();
        };
    }

}
