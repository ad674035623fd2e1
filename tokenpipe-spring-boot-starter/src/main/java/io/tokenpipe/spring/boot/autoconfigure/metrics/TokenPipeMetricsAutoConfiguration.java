package io.tokenpipe.spring.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.spring.boot.actuate.TokenPipeMetrics;
import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for {@link TokenPipeMetrics}. Needs Micrometer, a
 * {@link MeterRegistry} bean and a {@link TokenPipeFactory} bean; Boot binds every {@code MeterBinder} bean to
 * its registries.
 */
@AutoConfiguration(after = TokenPipeAutoConfiguration.class,
        afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ TokenPipeFactory.class, MeterRegistry.class })
public final class TokenPipeMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TokenPipeMetrics tokenPipeMetrics(TokenPipeFactory factory) {
        return new TokenPipeMetrics(factory);
    }

}
