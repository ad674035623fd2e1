package io.tokenpipe.demo;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link WorkerStartupException} as Boot's "APPLICATION FAILED TO START" report (Description: what
 * happened to the worker; Action: what to do) instead of a stack trace. Registered in
 * {@code META-INF/spring.factories}.
 */
class WorkerStartupFailureAnalyzer extends AbstractFailureAnalyzer<WorkerStartupException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, WorkerStartupException cause) {
        return new FailureAnalysis(cause.getMessage(), cause.getAction(), cause);
    }

}
