package io.tokenpipe.spring.boot;

import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Configuration;

/**
 * An application run as a {@link SpringApplicationBuilder} hierarchy, for the tests that start it as a real
 * process: a parent context ({@link HierarchyParentConfiguration}), then the application's own.
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
public class HierarchyChildApplication {

    public static void main(String[] args) throws InterruptedException {
        new SpringApplicationBuilder(HierarchyParentConfiguration.class).web(WebApplicationType.NONE)
            .bannerMode(Banner.Mode.OFF)
            .child(HierarchyChildApplication.class)
            .web(WebApplicationType.NONE)
            .run(args);
        Thread.currentThread().join(); // until SIGTERM
    }

}
