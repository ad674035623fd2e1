package io.tokenpipe.spring.boot;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.spring.boot.actuate.TokenPipeHealthContributorAutoConfiguration;
import io.tokenpipe.spring.boot.actuate.TokenPipeHealthIndicator;
import io.tokenpipe.spring.boot.actuate.TokenPipeMetrics;
import io.tokenpipe.spring.boot.actuate.TokenPipeMetricsAutoConfiguration;
import io.tokenpipe.spring.boot.actuate.TokenPipesEndpoint;
import io.tokenpipe.spring.boot.actuate.TokenPipesEndpointAutoConfiguration;
import io.tokenpipe.testing.FdCount;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Every condition and back-off of the auto-configurations, and the factory's life with the context.
 */
@ExtendWith({ FdCount.class, OutputCaptureExtension.class })
class TokenPipeAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TokenPipeAutoConfiguration.class,
                TokenPipeHealthContributorAutoConfiguration.class, TokenPipeMetricsAutoConfiguration.class,
                TokenPipesEndpointAutoConfiguration.class, MetricsAutoConfiguration.class))
        .withBean(SimpleMeterRegistry.class);

    /** Loads, once, every class and jar the contexts below open lazily, so they do not count as fds. */
    @BeforeAll
    static void openJarsOnce() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TokenPipeAutoConfiguration.class,
                    TokenPipeHealthContributorAutoConfiguration.class, TokenPipeMetricsAutoConfiguration.class,
                    TokenPipesEndpointAutoConfiguration.class, MetricsAutoConfiguration.class))
            .withBean(SimpleMeterRegistry.class)
            .withPropertyValues("management.endpoints.web.exposure.include=tokenpipes", "tokenpipe.max-open-pipes=0")
            .run((context) -> assertThat(context).hasFailed());
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TokenPipeAutoConfiguration.class,
                    TokenPipeHealthContributorAutoConfiguration.class, TokenPipeMetricsAutoConfiguration.class,
                    TokenPipesEndpointAutoConfiguration.class, MetricsAutoConfiguration.class))
            .withBean(SimpleMeterRegistry.class)
            .withPropertyValues("management.endpoints.web.exposure.include=tokenpipes")
            .run((context) -> {
                context.getBean(TokenPipeHealthIndicator.class).health(true);
                context.getBean(TokenPipesEndpoint.class).tokenPipes();
                context.getBean(MeterRegistry.class).get("tokenpipe.pipes.open").gauge().value();
            });
    }

    @Test
    void runShouldCreateFactoryHealthIndicatorAndMetrics() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(TokenPipeFactory.class)
                .hasSingleBean(TokenPipeProperties.class)
                .hasSingleBean(TokenPipeMetrics.class)
                .hasBean("tokenPipeHealthIndicator");
            assertThat(context.getBean(TokenPipeHealthIndicator.class).health(true).getStatus()).isEqualTo(Status.UP);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("tokenpipe.pipes.open").gauge().value()).isZero();
        });
    }

    @Test
    void runShouldUseMaxOpenPipes() {
        this.runner.withPropertyValues("tokenpipe.max-open-pipes=1").run((context) -> {
            TokenPipeFactory factory = context.getBean(TokenPipeFactory.class);
            try (TokenPipe pipe = factory.create("only")) {
                assertThat(factory.snapshot().maxOpenPipes()).isEqualTo(1);
                assertThat(factory.snapshot().limitReached()).isTrue();
            }
        });
    }

    @Test
    void runWhenUserDefinesFactoryShouldBackOff() {
        this.runner.withUserConfiguration(UserFactoryConfiguration.class).run((context) -> {
            assertThat(context).hasSingleBean(TokenPipeFactory.class);
            assertThat(context.getBean(TokenPipeFactory.class)).isSameAs(context.getBean("myFactory"));
            assertThat(context.getBean(TokenPipeFactory.class).snapshot().maxOpenPipes()).isEqualTo(7);
            // The actuator pieces report on the user's factory.
            assertThat(context).hasSingleBean(TokenPipeHealthIndicator.class).hasSingleBean(TokenPipeMetrics.class);
        });
    }

    @Test
    void runWhenDisabledShouldBackOffCompletely() {
        this.runner.withPropertyValues("tokenpipe.enabled=false", "management.endpoints.web.exposure.include=*")
            .run((context) -> assertThat(context).doesNotHaveBean(TokenPipeFactory.class)
                .doesNotHaveBean(TokenPipeProperties.class)
                .doesNotHaveBean(TokenPipeHealthIndicator.class)
                .doesNotHaveBean(TokenPipeMetrics.class)
                .doesNotHaveBean(TokenPipesEndpoint.class));
    }

    @Test
    void runWithoutActuatorOrMicrometerShouldStillCreateFactory() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TokenPipeAutoConfiguration.class,
                    TokenPipeHealthContributorAutoConfiguration.class, TokenPipeMetricsAutoConfiguration.class,
                    TokenPipesEndpointAutoConfiguration.class))
            .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
                    "org.springframework.boot.health", "io.micrometer"))
            .withPropertyValues("management.endpoints.web.exposure.include=*")
            .run((context) -> {
                assertThat(context).hasNotFailed()
                    .hasSingleBean(TokenPipeFactory.class)
                    .doesNotHaveBean(TokenPipeHealthIndicator.class)
                    .doesNotHaveBean(TokenPipeMetrics.class)
                    .doesNotHaveBean(TokenPipesEndpoint.class);
                TokenPipeFactory factory = context.getBean(TokenPipeFactory.class);
                factory.create("works").close();
            });
    }

    @Test
    void runWithoutHealthModuleShouldNotCreateIndicator() {
        this.runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(TokenPipeFactory.class)
                .doesNotHaveBean(TokenPipeHealthIndicator.class)
                .hasSingleBean(TokenPipeMetrics.class));
    }

    @Test
    void runWithoutMicrometerShouldNotCreateMetrics() {
        // A registry bean is there, so only the class condition can make the metrics back off.
        this.runner.withClassLoader(new FilteredClassLoader("io.micrometer"))
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(TokenPipeFactory.class)
                .hasSingleBean(TokenPipeHealthIndicator.class)
                .doesNotHaveBean(TokenPipeMetrics.class));
    }

    @Test
    void runWithoutMeterRegistryShouldNotCreateMetrics() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TokenPipeAutoConfiguration.class,
                    TokenPipeMetricsAutoConfiguration.class))
            .run((context) -> assertThat(context).hasSingleBean(TokenPipeFactory.class)
                .doesNotHaveBean(TokenPipeMetrics.class));
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

    @Test
    void runWhenUserDefinesMetricsShouldBackOff() {
        this.runner.withUserConfiguration(UserMetricsConfiguration.class).run((context) -> {
            assertThat(context).hasSingleBean(TokenPipeMetrics.class);
            assertThat(context.getBean(TokenPipeMetrics.class)).isSameAs(context.getBean("myMetrics"));
        });
    }

    @Test
    void runWhenEndpointNotExposedShouldNotCreateEndpoint() {
        this.runner.run((context) -> assertThat(context).doesNotHaveBean(TokenPipesEndpoint.class));
    }

    @Test
    void runWhenEndpointExposedShouldCreateEndpoint() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=tokenpipes")
            .run((context) -> assertThat(context).hasSingleBean(TokenPipesEndpoint.class));
    }

    @Test
    void runWhenEndpointAccessIsNoneShouldNotCreateEndpoint() {
        this.runner
            .withPropertyValues("management.endpoints.web.exposure.include=tokenpipes",
                    "management.endpoint.tokenpipes.access=NONE")
            .run((context) -> assertThat(context).doesNotHaveBean(TokenPipesEndpoint.class));
    }

    @Test
    void runWhenUserDefinesEndpointShouldBackOff() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=tokenpipes")
            .withUserConfiguration(UserEndpointConfiguration.class)
            .run((context) -> {
                assertThat(context).hasSingleBean(TokenPipesEndpoint.class);
                assertThat(context.getBean(TokenPipesEndpoint.class)).isSameAs(context.getBean("myEndpoint"));
            });
    }

    @Test
    void runWhenMaxOpenPipesIsZeroShouldFailWithAnalysis() {
        this.runner.withPropertyValues("tokenpipe.max-open-pipes=0").run((context) -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = new TokenPipeFailureAnalyzer().analyze(context.getStartupFailure());
            assertThat(analysis).isNotNull();
            assertThat(analysis.getDescription())
                .startsWith("Invalid value '0' for configuration property 'tokenpipe.max-open-pipes'")
                .endsWith(": must be 1 or more");
            assertThat(analysis.getAction())
                .isEqualTo("Set tokenpipe.max-open-pipes to 1 or more (the default is 1024), or remove it to use"
                        + " the default.");
        });
    }

    @Test
    void runWhenMaxOpenPipesIsNegativeShouldFailNamingTheValue() {
        this.runner.withPropertyValues("tokenpipe.max-open-pipes=-5").run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOf(InvalidTokenPipePropertyException.class)
                .hasMessageContaining("Invalid value '-5' for configuration property 'tokenpipe.max-open-pipes'")
                .hasMessageEndingWith("must be 1 or more");
        });
    }

    @Test
    void runWhenMaxOpenPipesIsNotANumberShouldFailNamingTheProperty() {
        this.runner.withPropertyValues("tokenpipe.max-open-pipes=abc").run((context) -> {
            assertThat(context).hasFailed();
            Throwable cause = context.getStartupFailure();
            while (cause != null && !(cause instanceof BindException)) {
                cause = cause.getCause();
            }
            assertThat(cause).isInstanceOf(BindException.class)
                .hasMessage("Failed to bind properties under 'tokenpipe.max-open-pipes' to int");
            assertThat(context.getStartupFailure()).rootCause().hasMessage("For input string: \"abc\"");
        });
    }

    @Test
    void closingTheContextClosesEveryPipeTheApplicationLeftOpen(CapturedOutput output) {
        int before = FdCount.openFdCount();
        TokenPipeEnd[] ends = new TokenPipeEnd[3];
        this.runner.run((context) -> {
            TokenPipeFactory factory = context.getBean(TokenPipeFactory.class);
            factory.create("untouched");
            TokenPipe taken = factory.create("taken");
            ends[0] = taken.takeReadEnd();
            ends[1] = taken.takeWriteEnd();
            TokenPipe half = factory.create("half-closed");
            ends[2] = half.takeReadEnd();
            half.takeWriteEnd().close();
            factory.create("tidy").close();
            assertThat(FdCount.openFdCount()).isEqualTo(before + 5);
        });
        FdCount.assertBackTo(before, "closing the context");
        assertThat(ends).allSatisfy((end) -> assertThat(end.isOpen()).isFalse());
        assertThat(output)
            .containsOnlyOnce("Closed 3 token pipe(s) the application left open: untouched, taken, half-closed");
    }

    @Test
    void factoryRefusesPipesOnceTheContextIsClosed() {
        TokenPipeFactory[] factory = new TokenPipeFactory[1];
        this.runner.run((context) -> factory[0] = context.getBean(TokenPipeFactory.class));
        assertThat(factory[0].isClosed()).isTrue();
        assertThatIllegalStateException().isThrownBy(() -> factory[0].create("too-late"))
            .isExactlyInstanceOf(IllegalStateException.class)
            .withMessage("Cannot create token pipe 'too-late': the TokenPipeFactory is closed (the application"
                    + " context is shutting down)");
        assertThat(factory[0].snapshot().created()).as("nothing was made").isZero();
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

    @Configuration(proxyBeanMethods = false)
    static class UserMetricsConfiguration {

        @Bean
        TokenPipeMetrics myMetrics(TokenPipeFactory factory) {
            return new TokenPipeMetrics(factory);
        }

    }

    @Configuration(proxyBeanMethods = false)
    static class UserEndpointConfiguration {

        @Bean
        TokenPipesEndpoint myEndpoint(TokenPipeFactory factory) {
            return new TokenPipesEndpoint(factory);
        }

    }

}
