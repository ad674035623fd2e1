package io.tokenpipe.spring.boot.test.web;

import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.spring.boot.test.AutoConfigureTokenPipes;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.QuietOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * {@link AutoConfigureTokenPipes} in a {@code @WebMvcTest} slice: the controller gets its {@link TokenPipeFactory}
 * and makes a real pipe ({@link SliceWithoutTokenPipesTests}: without the annotation the slice fails to start).
 */
@ExtendWith({ FdCount.class, QuietOutput.class }) // first, so that it also holds back what the Spring extension logs
@WebMvcTest(PipeController.class)
@AutoConfigureTokenPipes
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

}
