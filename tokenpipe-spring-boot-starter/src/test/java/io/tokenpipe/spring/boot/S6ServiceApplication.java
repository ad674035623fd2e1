package io.tokenpipe.spring.boot;

import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Configuration;

/**
 * The service {@link S6NotificationIT} runs under s6-supervise: an application with the starter that runs until
 * SIGTERM. s6 passes it the notification pipe at the descriptor named in the service's {@code notification-fd}
 * file; the starter's notifier is pointed at it with {@code --tokenpipe.notify.fd}.
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
public class S6ServiceApplication {

    public static void main(String[] args) throws InterruptedException {
        SpringApplication application = new SpringApplication(S6ServiceApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.run(args);
        Thread.currentThread().join(); // until SIGTERM: the shutdown hook closes the context
    }

}
