package io.tokenpipe.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link InvalidTokenPipePropertyException} as "Description:" (the property, its value, where it
 * came from and the rule) and "Action:". Registered in {@code META-INF/spring.factories}, so it also reports
 * failures that happen before the application context exists (the readiness descriptor is checked then).
 */
class TokenPipeFailureAnalyzer extends AbstractFailureAnalyzer<InvalidTokenPipePropertyException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidTokenPipePropertyException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.getAction(), cause);
    }

}
