package com.example.pipes;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.spring.boot.TokenPipeFactory;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
public class PipeController {

    private final TokenPipeFactory factory;

    public PipeController(TokenPipeFactory factory) {
        this.factory = factory;
    }

    @GetMapping("/echo")
    public String echo() {
        try (TokenPipe pipe = this.factory.create("echo");
                TokenPipeEnd reader = pipe.takeReadEnd();
                TokenPipeEnd writer = pipe.takeWriteEnd()) {
            writer.tokenWrite(42);
            return "token " + reader.tokenRead();
        }
    }

}
