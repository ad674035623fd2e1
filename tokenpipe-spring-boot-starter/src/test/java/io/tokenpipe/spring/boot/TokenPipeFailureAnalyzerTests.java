package io.tokenpipe.spring.boot;

import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;
import io.tokenpipe.testing.QuietOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What a person sees when {@code tokenpipe.max-open-pipes} is wrong: Boot's "APPLICATION FAILED TO START"
 * report from a real {@link SpringApplication} run (so the analyzer's {@code spring.factories} entry is
 * exercised too).
 */
@ExtendWith({ QuietOutput.class, OutputCaptureExtension.class })
class TokenPipeFailureAnalyzerTests {

    @Test
    void analysisHasDescriptionAndAction() {
        InvalidTokenPipePropertyException failure = new InvalidTokenPipePropertyException("tokenpipe.max-open-pipes", 0,
                "must be 1 or more", "Set it to 1 or more.", "class path resource [application.properties] - 3:26");
        FailureAnalysis analysis = new TokenPipeFailureAnalyzer().analyze(new IllegalStateException("wrapped", failure));
        assertThat(analysis).isNotNull();
        assertThat(analysis.getDescription()).isEqualTo("Invalid value '0' for configuration property"
                + " 'tokenpipe.max-open-pipes' (originating from 'class path resource [application.properties] - 3:26'):"
                + " must be 1 or more");
        assertThat(analysis.getAction()).isEqualTo("Set it to 1 or more.");
        assertThat(analysis.getCause()).isSameAs(failure);
    }

    @Test
    void limitBelowOneInAPropertiesFileIsReportedWithItsLine(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run("--spring.config.location=classpath:io/tokenpipe/spring/boot/bad-limit.properties"));
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Description:")
            .contains("Invalid value '0' for configuration property 'tokenpipe.max-open-pipes' (originating from"
                    + " 'class path resource [io/tokenpipe/spring/boot/bad-limit.properties] - 2:26'): must be 1 or more")
            .contains("Action:")
            .contains("Set tokenpipe.max-open-pipes to 1 or more (the default is 1024), or remove it to use the default.");
    }

    @Test
    void limitThatIsNotANumberIsReportedByBootsBinder(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run("--tokenpipe.max-open-pipes=abc"));
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Failed to bind properties under 'tokenpipe.max-open-pipes' to int")
            .contains("Value: \"abc\"")
            .contains("Action:");
    }

    private static void run(String... args) {
        SpringApplication app = new SpringApplication(Application.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setRegisterShutdownHook(false);
        app.setBannerMode(Banner.Mode.OFF);
        app.run(args).close();
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class Application {

    }

}
