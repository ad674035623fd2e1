package com.example.pipes;

import io.tokenpipe.spring.boot.test.AutoConfigureTokenPipes;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.test.web.servlet.MockMvc;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

@WebMvcTest(PipeController.class)
@AutoConfigureTokenPipes
class PipeControllerTests {

    @Autowired
    private MockMvc mvc;

    @Test
    void controllerMakesARealPipe() throws Exception {
        this.mvc.perform(get("/echo")).andExpect(status().isOk()).andExpect(content().string("token 42"));
    }

}
