package io.tokenpipe.spring.cloud;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.spring.boot.TokenPipeReadinessNotifier;
import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.QuietOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The readiness notification with {@code spring-cloud-starter-bootstrap} (Spring Cloud 2025.1.4) on the class path:
 * Spring Cloud first runs a bootstrap application context, the parent of the application context, whose own
 * readiness says nothing about the application. Only the application context reports: the test reads the real pipe
 * from the application's runner (no token yet) and after the run (the token).
 */
@ExtendWith({ FdCount.class, QuietOutput.class, OutputCaptureExtension.class })
@Timeout(120)
class BootstrapContextReadinessTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** What the application's runner read from the pipe while it ran: TS_TIMEOUT unless a token was there. */
    static final AtomicInteger seenByRunner = new AtomicInteger();

    static volatile TokenPipeEnd reader;

    private int writeFd;

    /** One run first: Spring Cloud's classes and jars are opened lazily, once, and must not count as fds. */
    @BeforeAll
    static void runOnceWithoutNotification() {
        run(PlainApplication.class).close();
    }

    @BeforeEach
    void makePipe() {
        TokenPipeReadinessNotifier.resetClaim();
        try (TokenPipe pipe = TokenPipe.make().orElseThrow()) {
            reader = pipe.takeReadEnd();
            this.writeFd = pipe.takeWriteEnd().detach(); // as a parent passes it: inherited, nobody owns it here
        }
    }

    @AfterEach
    void closeReader() {
        reader.close();
        TokenPipeReadinessNotifier.resetClaim();
    }

    @Test
    void onlyTheApplicationContextReportsAndOnlyAfterItsRunners() {
        seenByRunner.set(Integer.MIN_VALUE);
        try (ConfigurableApplicationContext context = run(ReadyApplication.class, "--tokenpipe.notify.fd=" + this.writeFd)) {
            assertThat(context.getParent()).as("Spring Cloud's bootstrap context").isNotNull();
            assertThat(context.getParent().getId()).isEqualTo("bootstrap");
            assertThat(seenByRunner.get()).as("nothing written before the application's runner finished")
                .isEqualTo(TokenPipeEnd.TS_TIMEOUT);
            assertThat(reader.tokenRead(WAIT)).isEqualTo(1);
            assertThat(reader.tokenRead(WAIT)).as("one token, then closed").isEqualTo(TokenPipeEnd.TS_EOS);
        }
    }

    @Test
    void anApplicationThatFailsAfterItsBootstrapContextStartedWritesTheFailureToken(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(FailingApplication.class, "--tokenpipe.notify.fd=" + this.writeFd))
            .havingRootCause()
            .withMessage("the database is not there");
        assertThat(output).contains("Application run failed");
        assertThat(reader.tokenRead(WAIT)).as("not the bootstrap context's 1").isEqualTo(0);
        assertThat(reader.tokenRead(WAIT)).isEqualTo(TokenPipeEnd.TS_EOS);
    }

    private static ConfigurableApplicationContext run(Class<?> application, String... args) {
        SpringApplication app = new SpringApplication(application);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setRegisterShutdownHook(false);
        return app.run(args);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class PlainApplication {

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class ReadyApplication {

        @Bean
        ApplicationRunner lookAtThePipe() {
            return (args) -> seenByRunner.set(reader.tokenRead(Duration.ofMillis(200)));
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class FailingApplication {

        @Bean
        Object database() {
            throw new IllegalStateException("the database is not there");
        }

    }

}
