package io.tokenpipe.spring.boot;

import java.util.List;

import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.GenericApplicationContext;

/**
 * A small Spring Boot application run as a child process by the readiness tests: it starts (and then exits
 * 0), or with the argument {@code fail} it has a bean that throws, so that its start-up fails (exit 1). With the
 * argument {@code hierarchy} it is run by {@link SpringApplicationBuilder} as the child of a parent application.
 * It knows nothing of token pipes: the starter's notifier does the work when the parent passes a descriptor.
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
public class ReadinessChildApplication {

    public static void main(String[] args) {
        List<String> modes = List.of(args);
        SpringApplicationBuilder builder = new SpringApplicationBuilder(ReadinessChildApplication.class);
        if (modes.contains("hierarchy")) {
            builder = new SpringApplicationBuilder(Parent.class).web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .child(ReadinessChildApplication.class);
        }
        if (modes.contains("fail")) {
            builder.initializers((context) -> ((GenericApplicationContext) context)
                .registerBean("brokenDependency", Object.class, () -> {
                    throw new IllegalStateException("the database is not there");
                }));
        }
        builder.web(WebApplicationType.NONE).bannerMode(Banner.Mode.OFF);
        try (ConfigurableApplicationContext context = builder.run(args)) {
            System.out.println("child: started");
        }
        catch (RuntimeException ex) {
            System.exit(1);
        }
    }

    /** The parent context of the {@code hierarchy} mode: ready as soon as it starts. */
    @Configuration(proxyBeanMethods = false)
    static class Parent {

    }

}
