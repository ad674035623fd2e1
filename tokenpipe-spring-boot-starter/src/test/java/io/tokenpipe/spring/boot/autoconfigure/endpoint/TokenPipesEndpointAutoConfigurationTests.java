package io.tokenpipe.spring.boot.autoconfigure.endpoint;

import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.spring.boot.actuate.TokenPipesEndpoint;
import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TokenPipesEndpointAutoConfiguration}.
 */
class TokenPipesEndpointAutoConfigurationTests {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(TokenPipeAutoConfiguration.class, TokenPipesEndpointAutoConfiguration.class));

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
    void runWithoutActuatorShouldNotCreateEndpoint() {
        new ApplicationContextRunner().withUserConfiguration(ImportedAsApplicationsDo.class)
            .withPropertyValues("management.endpoints.web.exposure.include=tokenpipes")
            .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
            .run((context) -> assertThat(context).hasNotFailed()
                .hasSingleBean(TokenPipeFactory.class)
                .doesNotHaveBean(TokenPipesEndpoint.class));
    }

    @Test
    void runWithoutFactoryShouldNotCreateEndpoint() {
        this.runner.withPropertyValues("management.endpoints.web.exposure.include=tokenpipes", "tokenpipe.enabled=false")
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

    @Configuration(proxyBeanMethods = false)
    static class UserEndpointConfiguration {

        @Bean
        TokenPipesEndpoint myEndpoint(TokenPipeFactory factory) {
            return new TokenPipesEndpoint(factory);
        }

    }

    /**
     * Imported as an application imports auto-configurations, through the filter that reads
     * {@code spring-autoconfigure-metadata.properties}: the class condition on the missing module removes the class
     * before its other conditions (whose classes are missing too) are even loaded.
     */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ TokenPipeAutoConfiguration.class, TokenPipesEndpointAutoConfiguration.class })
    static class ImportedAsApplicationsDo {

    }

}
