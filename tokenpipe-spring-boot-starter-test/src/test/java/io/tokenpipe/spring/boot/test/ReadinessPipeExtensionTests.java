package io.tokenpipe.spring.boot.test;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;

import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.QuietOutput;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * {@link ReadinessPipeExtension} as users use it: each test runs an example test class (a static nested class,
 * which the build does not run by itself) through JUnit's {@link EngineTestKit} and checks its outcome, and that
 * every descriptor the extension made is closed after the class, adopted or not.
 */
@ExtendWith({ FdCount.class, QuietOutput.class, OutputCaptureExtension.class })
@Timeout(120)
class ReadinessPipeExtensionTests {

    static final Duration WAIT = Duration.ofSeconds(60);

    /** What the example application's runner saw on the pipe: no token may be there while runners run. */
    static final AtomicReference<OptionalInt> seenByRunner = new AtomicReference<>();

    /**
     * Starts and stops one application, and runs one Spring test context, so that what they open lazily once (jars,
     * Mockito's agent jar, a socket) does not count as fds.
     */
    @BeforeAll
    static void startOneApplicationFirst() {
        run(ReadyApplication.class).close();
        EngineTestKit.engine("junit-jupiter").selectors(selectClass(WarmUp.class)).execute();
    }

    @Test
    void applicationRunInTheTestWritesTheReadyTokenAfterItsRunners() {
        assertAllPassed(RunInTheTest.class);
    }

    @Test
    void springBootTestContextWritesTheReadyToken() {
        assertAllPassed(SpringBootTestContext.class);
    }

    @Test
    void applicationWhoseStartUpFailsWritesTheFailureToken(CapturedOutput output) {
        assertAllPassed(FailingStartUp.class);
        assertThat(output).contains("Application run failed").contains("the database is not there");
    }

    @Test
    void withoutAnApplicationAwaitExplainsAndTheDescriptorIsClosedAfterTheClass() {
        assertAllPassed(NoApplication.class);
        assertThat(System.getProperty(ReadinessPipe.FD_PROPERTY)).as("restored").isNull();
    }

    @Test
    void nestedClassesGetAPipeEach() {
        assertAllPassed(TwoRuns.class);
    }

    private static void assertAllPassed(Class<?> example) {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(example)).execute().testEvents();
        tests.failed().stream().forEach((event) -> event.getRequiredPayload(TestExecutionResult.class)
            .getThrowable()
            .ifPresent((failure) -> {
                throw new AssertionError(example.getSimpleName() + " failed", failure);
            }));
        tests.assertStatistics((stats) -> stats.failed(0).aborted(0));
        assertThat(tests.succeeded().count()).as("tests of %s that passed", example.getSimpleName()).isPositive();
        assertThat(System.getProperty(ReadinessPipe.FD_PROPERTY)).as("the property is restored").isNull();
    }

    static ConfigurableApplicationContext run(Class<?> application, String... args) {
        SpringApplication app = new SpringApplication(application);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setRegisterShutdownHook(false);
        return app.run(args);
    }

    @ExtendWith(ReadinessPipeExtension.class)
    static class RunInTheTest {

        @Test
        void writesTheReadyTokenOnceReady(ReadinessPipe pipe) {
            seenByRunner.set(null);
            ReadyApplication.pipe = pipe;
            try (ConfigurableApplicationContext context = run(ReadyApplication.class, pipe.notifyArgument())) {
                assertThat(pipe.awaitToken(WAIT)).isEqualTo(1);
                assertThat(seenByRunner.get()).as("nothing while the runner ran").isEmpty();
            }
        }

    }

    @SpringBootTest(classes = ReadyApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
    @DirtiesContext(classMode = DirtiesContext.ClassMode.BEFORE_CLASS)
    @ExtendWith(ReadinessPipeExtension.class)
    static class SpringBootTestContext {

        @Test
        void writesTheReadyTokenOnceReady(ReadinessPipe pipe) {
            assertThat(pipe.awaitToken(WAIT)).isEqualTo(1);
            assertThat(pipe.pollToken()).as("one token only").isEmpty();
        }

    }

    @SpringBootTest(classes = PlainApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
    @DirtiesContext
    static class WarmUp {

        @Test
        void starts() {
        }

    }

    @ExtendWith(ReadinessPipeExtension.class)
    static class FailingStartUp {

        @Test
        void writesTheFailureToken(ReadinessPipe pipe) {
            assertThatException().isThrownBy(() -> run(FailingApplication.class))
                .havingRootCause()
                .withMessage("the database is not there");
            assertThat(pipe.awaitToken(WAIT)).isEqualTo(0);
        }

    }

    @ExtendWith(ReadinessPipeExtension.class)
    static class NoApplication {

        @Test
        void awaitSaysWhatToCheck(ReadinessPipe pipe) {
            assertThat(System.getProperty(ReadinessPipe.FD_PROPERTY)).isEqualTo(Integer.toString(pipe.fd()));
            assertThat(pipe.notifyArgument()).isEqualTo("--tokenpipe.notify.fd=" + pipe.fd());
            assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> pipe.awaitToken(Duration.ofMillis(50)))
                .withMessageStartingWith("No readiness token on fd " + pipe.fd() + " within PT0.05S")
                .withMessageContaining("@DirtiesContext");
        }

        @Test
        void aFailedReadNamesTheErrno(ReadinessPipe pipe) {
            Thread.currentThread().interrupt(); // the read fails at once with EINTR
            try {
                assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> pipe.awaitToken(WAIT))
                    .withMessage("Reading the readiness token from fd " + pipe.fd()
                            + " failed: EINTR (Interrupted system call)");
            }
            finally {
                Thread.interrupted();
            }
        }

    }

    static class TwoRuns {

        @org.junit.jupiter.api.Nested
        @ExtendWith(ReadinessPipeExtension.class)
        class First {

            @Test
            void ready(ReadinessPipe pipe) {
                try (ConfigurableApplicationContext context = run(PlainApplication.class)) {
                    assertThat(pipe.awaitToken(WAIT)).isEqualTo(1);
                }
            }

        }

        @org.junit.jupiter.api.Nested
        @ExtendWith(ReadinessPipeExtension.class)
        class Second {

            @Test
            void readyWithAnotherToken(ReadinessPipe pipe) {
                try (ConfigurableApplicationContext context = run(PlainApplication.class,
                        "--tokenpipe.notify.ready-token=10")) {
                    assertThat(pipe.awaitToken(WAIT)).isEqualTo(10);
                }
            }

        }

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class PlainApplication {

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class ReadyApplication {

        static volatile ReadinessPipe pipe;

        @Bean
        ApplicationRunner lookAtThePipe() {
            return (args) -> {
                if (pipe != null) {
                    seenByRunner.set(pipe.pollToken());
                }
            };
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
