package io.tokenpipe.spring.boot.actuate;

import io.tokenpipe.spring.boot.TokenPipeAutoConfiguration;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for {@link TokenPipesEndpoint}. Needs actuator and a
 * {@link TokenPipeFactory} bean; like every endpoint it is only reachable once exposed
 * ({@code management.endpoints.web.exposure.include=tokenpipes}).
 */
@AutoConfiguration(after = TokenPipeAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
public final class TokenPipesEndpointAutoConfiguration {

    // On the method, not the class: Spring instantiates every class-level condition before evaluating any, and
    // this one's condition class is missing whenever actuator is.
    @Bean
    @ConditionalOnAvailableEndpoint(TokenPipesEndpoint.class)
    @ConditionalOnBean(TokenPipeFactory.class)
    @ConditionalOnMissingBean
    TokenPipesEndpoint tokenPipesEndpoint(TokenPipeFactory factory) {
        return new TokenPipesEndpoint(factory);
    }

}
