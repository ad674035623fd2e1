package io.tokenpipe.spring.boot.autoconfigure.endpoint;

import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.spring.boot.actuate.TokenPipesEndpoint;
import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for {@link TokenPipesEndpoint}. Needs actuator and a
 * {@link TokenPipeFactory} bean; like every endpoint it is only created once exposed
 * ({@code management.endpoints.web.exposure.include=tokenpipes}).
 */
@AutoConfiguration(after = TokenPipeAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
@ConditionalOnBean(TokenPipeFactory.class)
@ConditionalOnAvailableEndpoint(TokenPipesEndpoint.class)
public final class TokenPipesEndpointAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    TokenPipesEndpoint tokenPipesEndpoint(TokenPipeFactory factory) {
        return new TokenPipesEndpoint(factory);
    }

}
