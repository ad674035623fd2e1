package io.tokenpipe.spring.boot.test.web;

import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.spring.boot.test.AutoConfigureTokenPipes;
import io.tokenpipe.testing.FdCount;
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
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * {@link AutoConfigureTokenPipes} in a {@code @WebMvcTest} slice: the controller gets its {@link TokenPipeFactory}
 * and makes a real pipe; without the annotation the slice has no factory and fails to start.
 */
@WebMvcTest(PipeController.class)
@AutoConfigureTokenPipes
@ExtendWith({ FdCount.class, QuietOutput.class })
class AutoConfigureTokenPipesTests {

    @Autowired
    private MockMvc mvc;

    @Autowired
    private TokenPipeFactory factory;

    @Test
    void controllerMakesAPipeInTheSlice() throws Exception {
        this.mvc.perform(get("/echo")).andExpect(status().isOk()).andExpect(content().string("token 42"));
        assertThat(this.factory.snapshot().created()).isEqualTo(1);
        assertThat(this.factory.snapshot().openPipes()).isZero();
    }

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
