package io.tokenpipe.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link TokenPipesUnavailableException}: the reason the native layer did not load, and the fixes.
 * Registered in {@code META-INF/spring.factories}, so it also reports failures from before the context exists.
 */
class TokenPipesUnavailableFailureAnalyzer extends AbstractFailureAnalyzer<TokenPipesUnavailableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, TokenPipesUnavailableException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.getAction(), cause);
    }

}
