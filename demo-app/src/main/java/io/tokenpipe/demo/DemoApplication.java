package io.tokenpipe.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The demo: a web application whose readiness waits for a token from a background worker process it starts
 * ({@link BackgroundWorker}). With {@code --demo.daemon-wait=true}, {@link #main} starts a detached copy of
 * the application instead and waits for its readiness token ({@link DaemonLauncher}).
 */
@SpringBootApplication
@EnableConfigurationProperties(DemoProperties.class)
public class DemoApplication {

    /** How the worker JVM is started: from this JVM's executable jar or class path. */
    @Bean
    JavaCommand javaCommand() {
        return JavaCommand.ofThisJvm();
    }

    /**
     * Runs the application, or with {@code demo.daemon-wait=true} the launcher, which exits the JVM with 0
     * (the detached copy is ready) or 1 (it failed; the reason is printed).
     */
    public static void main(String[] args) {
        if (DaemonLauncher.requested(args)) {
            System.exit(DaemonLauncher.launch(args));
        }
        SpringApplication.run(DemoApplication.class, args);
    }

}
