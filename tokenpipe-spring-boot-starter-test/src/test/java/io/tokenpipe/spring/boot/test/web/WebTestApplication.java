package io.tokenpipe.spring.boot.test.web;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application of the slice tests: a controller that needs a TokenPipeFactory. */
@SpringBootApplication
public class WebTestApplication {

}
