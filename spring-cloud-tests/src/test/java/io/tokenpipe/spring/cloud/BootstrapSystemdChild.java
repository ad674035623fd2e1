package io.tokenpipe.spring.cloud;

import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

/**
 * An application with Spring Cloud's bootstrap context, run as a child process with NOTIFY_SOCKET in its real
 * environment: it starts, prints whether its context has the bootstrap parent, and closes.
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
public class BootstrapSystemdChild {

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(BootstrapSystemdChild.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = app.run(args)) {
            System.out.println("parent context: " + context.getParent().getId());
        }
    }

}
