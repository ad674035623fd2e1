package io.tokenpipe.spring.boot.test.web;

import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.spring.boot.test.AutoConfigureTokenPipes;
import io.tokenpipe.testing.QuietOutput;
import org.assertj.core.api.Condition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.rootCause;

/**
 * Why {@link AutoConfigureTokenPipes} exists: the {@code @WebMvcTest} slice of {@link AutoConfigureTokenPipesTests}
 * without it fails to start, for want of a {@link TokenPipeFactory}. No pipe is made here, so no descriptors are
 * counted (a failed Spring test context leaves a socket and Mockito's agent jar open).
 */
@ExtendWith(QuietOutput.class)
class SliceWithoutTokenPipesTests {

    @Test
    void withoutTheAnnotationTheSliceHasNoFactory() {
        Events tests = EngineTestKit.engine("junit-jupiter")
            .selectors(selectClass(WithoutTheAnnotation.class))
            .execute()
            .testEvents();
        tests.assertStatistics((stats) -> stats.failed(1));
        tests.failed()
            .assertThatEvents()
            .haveExactly(1, finishedWithFailure(rootCause(new Condition<>(
                    (cause) -> cause instanceof NoSuchBeanDefinitionException missing
                            && TokenPipeFactory.class.equals(missing.getBeanType()),
                    "NoSuchBeanDefinitionException for TokenPipeFactory"))));
    }

    /** Run by the test above only: the slice as it is without {@link AutoConfigureTokenPipes}. */
    @WebMvcTest(PipeController.class)
    static class WithoutTheAnnotation {

        @Autowired
        private MockMvc mvc;

        @Test
        void contextStarts() {
            assertThat(this.mvc).isNotNull();
        }

    }

}
