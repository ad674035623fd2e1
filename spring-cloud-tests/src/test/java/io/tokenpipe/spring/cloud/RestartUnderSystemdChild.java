package io.tokenpipe.spring.cloud;

import java.nio.file.Files;
import java.nio.file.Path;

import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.cloud.context.restart.RestartEndpoint;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A systemd service that Spring Cloud's RestartEndpoint restarts once; then, once the file named by
 * {@code -Dchild.stop-file} exists, main closes the restarted context itself and the JVM exits (exit code 0).
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
public class RestartUnderSystemdChild {

    @Bean
    RestartEndpoint restartEndpoint() {
        return new RestartEndpoint();
    }

    public static void main(String[] args) throws InterruptedException {
        SpringApplication app = new SpringApplication(RestartUnderSystemdChild.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        // what the endpoint's restart operation runs on a thread of its own
        ConfigurableApplicationContext restarted = app.run(args).getBean(RestartEndpoint.class).doRestart();
        System.out.println("restarted");
        Path stop = Path.of(System.getProperty("child.stop-file"));
        for (int i = 0; i < 6000 && !Files.exists(stop); i++) { // hang guard: 120 s
            Thread.sleep(20);
        }
        restarted.close();
        System.out.println("closed");
    }

}
