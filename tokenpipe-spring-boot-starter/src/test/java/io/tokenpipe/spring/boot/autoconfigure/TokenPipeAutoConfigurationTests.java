package io.tokenpipe.spring.boot.autoconfigure;

import java.util.List;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.spring.boot.InvalidTokenPipePropertyException;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.spring.boot.TokenPipeProperties;
import io.tokenpipe.spring.boot.actuate.TokenPipeHealthIndicator;
import io.tokenpipe.spring.boot.actuate.TokenPipeMetrics;
import io.tokenpipe.spring.boot.actuate.TokenPipesEndpoint;
import io.tokenpipe.spring.boot.autoconfigure.endpoint.TokenPipesEndpointAutoConfiguration;
import io.tokenpipe.spring.boot.autoconfigure.health.TokenPipeHealthContributorAutoConfiguration;
import io.tokenpipe.spring.boot.autoconfigure.metrics.TokenPipeMetricsAutoConfiguration;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.QuietOutput;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link TokenPipeAutoConfiguration}: the factory, its back-off, its bad values, and its life with
 * the context.
 */
@ExtendWith({ FdCount.class, QuietOutput.class, OutputCaptureExtension.class })
class TokenPipeAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(TokenPipeAutoConfiguration.class));

    /** Loads, once, every class and jar the contexts below open lazily, so they do not count as fds. */
    @BeforeAll
    static void openJarsOnce() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TokenPipeAutoConfiguration.class))
            .withPropertyValues("tokenpipe.max-open-pipes=0")
            .run((context) -> analyze(context.getStartupFailure()));
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TokenPipeAutoConfiguration.class))
            .run((context) -> context.getBean(TokenPipeFactory.class).create().close());
    }

    @Test
    void runShouldCreateFactoryAndProperties() {
        this.runner.run((context) -> {
            assertThat(context).hasSingleBean(TokenPipeFactory.class).hasSingleBean(TokenPipeProperties.class);
            assertThat(context.getBean(TokenPipeFactory.class).snapshot().maxOpenPipes()).isEqualTo(1024);
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
        });
    }

    @Test
    void runWhenDisabledShouldBackOffCompletely() {
        new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(TokenPipeAutoConfiguration.class,
                    TokenPipeHealthContributorAutoConfiguration.class, TokenPipeMetricsAutoConfiguration.class,
                    TokenPipesEndpointAutoConfiguration.class))
            .withBean(io.micrometer.core.instrument.simple.SimpleMeterRegistry.class)
            .withPropertyValues("tokenpipe.enabled=false", "management.endpoints.web.exposure.include=*")
            .run((context) -> assertThat(context).doesNotHaveBean(TokenPipeFactory.class)
                .doesNotHaveBean(TokenPipeProperties.class)
                .doesNotHaveBean(TokenPipeHealthIndicator.class)
                .doesNotHaveBean(TokenPipeMetrics.class)
                .doesNotHaveBean(TokenPipesEndpoint.class));
    }

    @Test
    void runWithoutActuatorOrMicrometerShouldStillCreateFactory() {
        new ApplicationContextRunner().withUserConfiguration(ImportedAsApplicationsDo.class)
            .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
                    "org.springframework.boot.health", "io.micrometer"))
            .withPropertyValues("management.endpoints.web.exposure.include=*")
            .run((context) -> {
                assertThat(context).hasNotFailed()
                    .hasSingleBean(TokenPipeFactory.class)
                    .doesNotHaveBean(TokenPipeHealthIndicator.class)
                    .doesNotHaveBean(TokenPipeMetrics.class)
                    .doesNotHaveBean(TokenPipesEndpoint.class);
                context.getBean(TokenPipeFactory.class).create("works").close();
            });
    }

    @Test
    void runWhenMaxOpenPipesIsZeroShouldFailWithAnalysis() {
        this.runner.withPropertyValues("tokenpipe.max-open-pipes=0").run((context) -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = analyze(context.getStartupFailure());
            assertThat(analysis.getDescription())
                .startsWith("Invalid value '0' for configuration property 'tokenpipe.max-open-pipes'")
                .endsWith(": must be 1 or more");
            assertThat(analysis.getAction())
                .isEqualTo("Set tokenpipe.max-open-pipes to 1 or more (the default is 1024), or remove it to use"
                        + " the default.");
        });
    }

    @Test
    void runWhenMaxOpenPipesIsNegativeShouldFailNamingTheValueAndItsOrigin() {
        this.runner.withPropertyValues("tokenpipe.max-open-pipes=-5").run((context) -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                .isInstanceOf(InvalidTokenPipePropertyException.class)
                .hasMessageStartingWith("Invalid value '-5' for configuration property 'tokenpipe.max-open-pipes'"
                        + " (originating from '\"tokenpipe.max-open-pipes\" from property source \"test\"')")
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

    /** The analysis of the failure analyzers registered in spring.factories, as Boot would report it. */
    private static FailureAnalysis analyze(Throwable failure) {
        // Boot's own analyzers that need a bean factory are skipped: ours need nothing.
        List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
            .load(FailureAnalyzer.class, FailureHandler.handleMessage((message, ex) -> {
            }));
        for (FailureAnalyzer analyzer : analyzers) {
            FailureAnalysis analysis = analyzer.analyze(failure);
            if (analysis != null && analysis.getCause() instanceof InvalidTokenPipePropertyException) {
                return analysis;
            }
        }
        throw new AssertionError("no failure analyzer reports " + failure);
    }

    /**
     * The auto-configurations imported as an application imports them, through the filter that reads
     * {@code spring-autoconfigure-metadata.properties}: a class condition on a missing module removes a class
     * before its other conditions (whose classes are missing too) are even loaded.
     */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ TokenPipeAutoConfiguration.class, TokenPipeHealthContributorAutoConfiguration.class,
            TokenPipeMetricsAutoConfiguration.class, TokenPipesEndpointAutoConfiguration.class })
    static class ImportedAsApplicationsDo {

    }

    @Configuration(proxyBeanMethods = false)
    static class UserFactoryConfiguration {

        @Bean
        TokenPipeFactory myFactory() {
            return new TokenPipeFactory(7);
        }

    }

}
