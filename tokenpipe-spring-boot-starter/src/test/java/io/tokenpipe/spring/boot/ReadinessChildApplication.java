package io.tokenpipe.spring.boot;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.GenericApplicationContext;

/**
 * A small Spring Boot application run as a child process by the readiness tests: it starts (and then exits
 * 0), or with the argument {@code fail} it has a bean that throws, so that its start-up fails (exit 1). It
 * knows nothing of token pipes: the starter's notifier does the work when the parent passes a descriptor.
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
public class ReadinessChildApplication {

    public static void main(String[] args) {
        boolean fail = args.length > 0 && args[0].equals("fail");
        SpringApplication application = new SpringApplication(ReadinessChildApplication.class);
        if (fail) {
            application.addInitializers((context) -> ((GenericApplicationContext) context)
                .registerBean("brokenDependency", Object.class, () -> {
                    throw new IllegalStateException("the database is not there");
                }));
        }
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        try (ConfigurableApplicationContext context = application.run(args)) {
            System.out.println("child: started");
        }
        catch (RuntimeException ex) {
            System.exit(1);
        }
    }

}
