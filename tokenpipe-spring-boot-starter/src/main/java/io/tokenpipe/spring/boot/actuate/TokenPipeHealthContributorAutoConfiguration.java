package io.tokenpipe.spring.boot.actuate;

import io.tokenpipe.spring.boot.TokenPipeAutoConfiguration;
import io.tokenpipe.spring.boot.TokenPipeFactory;
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
public final class TokenPipeHealthContributorAutoConfiguration {

    // On the method, not the class: Spring instantiates every class-level condition before evaluating any, and
    // this one's condition class is missing whenever spring-boot-health is.
    @Bean
    @ConditionalOnEnabledHealthIndicator("tokenpipe")
    @ConditionalOnMissingBean(name = { "tokenPipeHealthIndicator", "tokenPipeHealthContributor" })
    TokenPipeHealthIndicator tokenPipeHealthIndicator(TokenPipeFactory factory) {
        return new TokenPipeHealthIndicator(factory);
    }

}
