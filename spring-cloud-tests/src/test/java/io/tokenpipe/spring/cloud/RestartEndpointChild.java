package io.tokenpipe.spring.cloud;

import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.cloud.context.restart.RestartEndpoint;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * An application that Spring Cloud's RestartEndpoint restarts once, run as a child process with NOTIFY_SOCKET and
 * TOKENPIPE_NOTIFY_FD in its real environment. Once it is ready, main calls the endpoint's restart operation (what
 * {@code POST /actuator/restart} calls): on a thread of its own, the endpoint closes the context and runs the same
 * SpringApplication again in this JVM. Then the JVM exits as any does once its last non-daemon thread ends: Boot's
 * shutdown hook closes the restarted context.
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
public class RestartEndpointChild {

    @Bean
    RestartEndpoint restartEndpoint() {
        return new RestartEndpoint();
    }

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(RestartEndpointChild.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        Object answer = app.run(args).getBean(RestartEndpoint.class).restart();
        System.out.println("restart endpoint: " + answer);
    }

}
