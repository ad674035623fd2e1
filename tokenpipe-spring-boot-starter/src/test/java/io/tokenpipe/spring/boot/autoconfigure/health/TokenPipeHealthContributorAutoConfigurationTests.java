package io.tokenpipe.spring.boot.autoconfigure.health;

import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.spring.boot.actuate.TokenPipeHealthIndicator;
import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TokenPipeHealthContributorAutoConfiguration}.
 */
class TokenPipeHealthContributorAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(TokenPipeAutoConfiguration.class, TokenPipeHealthContributorAutoConfiguration.class));

    @Test
    void runShouldCreateIndicator() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(TokenPipeHealthIndicator.class).hasBean("tokenPipeHealthIndicator");
            assertThat(context.getBean(TokenPipeHealthIndicator.class).health(true).getStatus()).isEqualTo(Status.UP);
        });
    }

    @Test
    void runWithUserFactoryShouldReportOnIt() {
        this.runner.withUserConfiguration(UserFactoryConfiguration.class).run((context) -> {
            Health health = context.getBean(TokenPipeHealthIndicator.class).health(true);
            assertThat(health.getDetails()).containsEntry("maxOpenPipes", 7);
        });
    }

    @Test
    void runWithoutHealthModuleShouldNotCreateIndicator() {
        new ApplicationContextRunner().withUserConfiguration(ImportedAsApplicationsDo.class)
            .withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(TokenPipeFactory.class)
                .doesNotHaveBean(TokenPipeHealthIndicator.class));
    }

    @Test
    void runWithoutFactoryShouldNotCreateIndicator() {
        this.runner.withPropertyValues("tokenpipe.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(TokenPipeHealthIndicator.class));
    }

    @Test
    void runWhenHealthDisabledShouldNotCreateIndicator() {
        this.runner.withPropertyValues("management.health.tokenpipe.enabled=false")
            .run((context) -> assertThat(context).hasSingleBean(TokenPipeFactory.class)
                .doesNotHaveBean(TokenPipeHealthIndicator.class));
    }

    @Test
    void runWhenHealthDefaultsDisabledShouldNotCreateIndicator() {
        this.runner.withPropertyValues("management.health.defaults.enabled=false")
            .run((context) -> assertThat(context).doesNotHaveBean(TokenPipeHealthIndicator.class));
    }

    @Test
    void runWhenUserDefinesHealthIndicatorShouldBackOff() {
        this.runner.withUserConfiguration(UserHealthIndicatorConfiguration.class)
            .run((context) -> assertThat(context).doesNotHaveBean(TokenPipeHealthIndicator.class)
                .hasBean("tokenPipeHealthIndicator"));
    }

    @Configuration(proxyBeanMethods = false)
    static class UserFactoryConfiguration {

        @Bean
        TokenPipeFactory myFactory() {
            return new TokenPipeFactory(7);
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserHealthIndicatorConfiguration {

        @Bean
        HealthIndicator tokenPipeHealthIndicator() {
            return () -> Health.up().build();
        }

    }

    /**
     * Imported as an application imports auto-configurations, through the filter that reads
     * {@code spring-autoconfigure-metadata.properties}: the class condition on the missing module removes the class
     * before its other conditions (whose classes are missing too) are even loaded.
     */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ TokenPipeAutoConfiguration.class, TokenPipeHealthContributorAutoConfiguration.class })
    static class ImportedAsApplicationsDo {

    }

}
