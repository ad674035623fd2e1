package io.tokenpipe.spring.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.spring.boot.actuate.TokenPipeMetrics;
import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TokenPipeMetricsAutoConfiguration}.
 */
class TokenPipeMetricsAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TokenPipeAutoConfiguration.class,
                TokenPipeMetricsAutoConfiguration.class, MetricsAutoConfiguration.class))
        .withBean(SimpleMeterRegistry.class);

    @Test
    void runShouldCreateMetricsBoundToTheRegistry() {
        this.runner.withPropertyValues("tokenpipe.max-open-pipes=64").run((context) -> {
            assertThat(context).hasSingleBean(TokenPipeMetrics.class);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("tokenpipe.pipes.open").gauge().value()).isZero();
            assertThat(registry.get("tokenpipe.pipes.max").gauge().value()).isEqualTo(64);
        });
    }

    @Test
    void runWithoutMicrometerShouldNotCreateMetrics() {
        // A registry bean is there, so only the class condition can make the metrics back off.
        this.runner.withClassLoader(new FilteredClassLoader("io.micrometer"))
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(TokenPipeFactory.class)
                .doesNotHaveBean(TokenPipeMetrics.class));
    }

    @Test
    void runWithoutMeterRegistryShouldNotCreateMetrics() {
        new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(TokenPipeAutoConfiguration.class, TokenPipeMetricsAutoConfiguration.class))
            .run((context) -> assertThat(context).hasSingleBean(TokenPipeFactory.class)
                .doesNotHaveBean(TokenPipeMetrics.class));
    }

    @Test
    void runWhenUserDefinesMetricsShouldBackOff() {
        this.runner.withUserConfiguration(UserMetricsConfiguration.class).run((context) -> {
            assertThat(context).hasSingleBean(TokenPipeMetrics.class);
            assertThat(context.getBean(TokenPipeMetrics.class)).isSameAs(context.getBean("myMetrics"));
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class UserMetricsConfiguration {

        @Bean
        TokenPipeMetrics myMetrics(TokenPipeFactory factory) {
            return new TokenPipeMetrics(factory);
        }

    }

}
