package io.tokenpipe.spring.boot.test.web;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.spring.boot.TokenPipeFactory;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Sends one token through a pipe of the factory and answers with it. */
@RestController
class PipeController {

    private final TokenPipeFactory factory;

    PipeController(TokenPipeFactory factory) {
        this.factory = factory;
    }

    @GetMapping("/echo")
    String echo() {
        try (TokenPipe pipe = this.factory.create("echo"); TokenPipeEnd reader = pipe.takeReadEnd();
                TokenPipeEnd writer = pipe.takeWriteEnd()) {
            writer.tokenWrite(42);
            return "token " + reader.tokenRead();
        }
    }

}
