package io.tokenpipe.spring.boot.autoconfigure.health;

import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.spring.boot.actuate.TokenPipeHealthIndicator;
import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for {@link TokenPipeHealthIndicator}: health component
 * {@code tokenPipe}, on unless {@code management.health.tokenpipe.enabled=false}. Needs
 * {@code spring-boot-health} (which actuator brings) and a {@link TokenPipeFactory} bean.
 */
@AutoConfiguration(after = TokenPipeAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnEnabledHealthIndicator.class)
@ConditionalOnBean(TokenPipeFactory.class)
@ConditionalOnEnabledHealthIndicator("tokenpipe")
public final class TokenPipeHealthContributorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = { "tokenPipeHealthIndicator", "tokenPipeHealthContributor" })
    TokenPipeHealthIndicator tokenPipeHealthIndicator(TokenPipeFactory factory) {
        return new TokenPipeHealthIndicator(factory);
    }

}
