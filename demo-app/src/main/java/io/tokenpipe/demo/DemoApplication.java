package io.tokenpipe.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The demo: a web application whose readiness waits for a token from a background worker process it starts
 * ({@link BackgroundWorker}). With {@code --tokenpipe.daemon.wait=true} (or its alias here,
 * {@code --demo.daemon-wait=true}) the starter's daemon mode starts a detached copy of the application instead and
 * waits for its readiness token: nothing of the demo's own is involved.
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
     * Runs the application.
     * @param args the command line
     */
    public static void main(String[] args) {
        SpringApplication.run(DemoApplication.class, args);
    }

}
