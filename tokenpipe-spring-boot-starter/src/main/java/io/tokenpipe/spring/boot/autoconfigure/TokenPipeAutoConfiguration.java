package io.tokenpipe.spring.boot.autoconfigure;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.spring.boot.InvalidTokenPipePropertyException;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.spring.boot.TokenPipeProperties;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for token pipes: a {@link TokenPipeFactory} that the
 * context closes at shutdown. Backs off when {@code tokenpipe.enabled=false} or when the application defines
 * its own {@link TokenPipeFactory}.
 */
@AutoConfiguration
@ConditionalOnClass(TokenPipe.class)
@ConditionalOnBooleanProperty(name = "tokenpipe.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TokenPipeProperties.class)
public final class TokenPipeAutoConfiguration {

    private static final String MAX_OPEN_PIPES = "tokenpipe.max-open-pipes";

    @Bean
    @ConditionalOnMissingBean
    TokenPipeFactory tokenPipeFactory(TokenPipeProperties properties, Environment environment) {
        int maxOpenPipes = properties.getMaxOpenPipes();
        if (maxOpenPipes < 1) {
            throw InvalidTokenPipePropertyException.of(MAX_OPEN_PIPES, maxOpenPipes, "must be 1 or more",
                    "Set " + MAX_OPEN_PIPES + " to 1 or more (the default is " + TokenPipeProperties.DEFAULT_MAX_OPEN_PIPES
                            + "), or remove it to use the default.",
                    environment);
        }
        return new TokenPipeFactory(maxOpenPipes);
    }

}
