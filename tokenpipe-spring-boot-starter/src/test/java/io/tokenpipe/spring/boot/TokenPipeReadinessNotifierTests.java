package io.tokenpipe.spring.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.QuietOutput;
import io.tokenpipe.testing.RawFds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The readiness notification in real {@link SpringApplication} runs inside this JVM: the test makes a raw pipe,
 * owns its read end and hands the write end's number to the application, which adopts it as it would an
 * inherited descriptor (so each descriptor has exactly one owner).
 */
@ExtendWith({ FdCount.class, QuietOutput.class, OutputCaptureExtension.class })
@Timeout(60)
class TokenPipeReadinessNotifierTests {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** What a runner saw on the read end: the token must not be there before the runners finished. */
    static final AtomicInteger seenByRunner = new AtomicInteger();

    static volatile TokenPipeEnd reader;

    private int writeFd;

    @BeforeEach
    void makePipe() {
        TokenPipeReadinessNotifier.resetClaim();
        int[] fds = rawPipe();
        reader = TokenPipeEnd.adopt(fds[0]);
        this.writeFd = fds[1];
    }

    @AfterEach
    void closeReader() {
        reader.close();
        TokenPipeReadinessNotifier.resetClaim();
    }

    @Test
    void writesReadyTokenOnceAfterTheRunners() {
        try (ConfigurableApplicationContext context = run(ReadyApplication.class, "--tokenpipe.notify.fd=" + this.writeFd)) {
            assertThat(seenByRunner.get()).isEqualTo(TokenPipeEnd.TS_TIMEOUT);
            assertThat(reader.tokenRead(WAIT)).isEqualTo(1);
            AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
            AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
            assertThat(reader.tokenRead(WAIT)).as("closed after one token").isEqualTo(TokenPipeEnd.TS_EOS);
        }
    }

    @Test
    void aParentThatStoppedWaitingDoesNotStopTheApplication(CapturedOutput output) {
        reader.close();
        try (ConfigurableApplicationContext context = run(PlainApplication.class, "--tokenpipe.notify.fd=" + this.writeFd)) {
            assertThat(context.isActive()).isTrue();
            assertThat(output).contains("Application ready but token 1 could not be written to fd " + this.writeFd
                    + ": TS_ERR EPIPE (Broken pipe)");
        }
    }

    @Test
    void writesTheConfiguredReadyToken() {
        try (ConfigurableApplicationContext context = run(PlainApplication.class,
                "--tokenpipe.notify.fd=" + this.writeFd, "--tokenpipe.notify.ready-token=7")) {
            assertThat(reader.tokenRead(WAIT)).isEqualTo(7);
            assertThat(reader.tokenRead(WAIT)).isEqualTo(TokenPipeEnd.TS_EOS);
        }
    }

    @Test
    void writesFailureTokenWhenTheContextFailsToRefresh(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(FailingBeanApplication.class, "--tokenpipe.notify.fd=" + this.writeFd))
            .withRootCauseInstanceOf(IllegalStateException.class)
            .havingRootCause()
            .withMessage("no database");
        assertThat(output).contains("Application run failed").contains("java.lang.IllegalStateException: no database");
        assertThat(reader.tokenRead(WAIT)).isEqualTo(0);
        assertThat(reader.tokenRead(WAIT)).isEqualTo(TokenPipeEnd.TS_EOS);
    }

    @Test
    void writesTheConfiguredFailureTokenWhenARunnerFails(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(FailingRunnerApplication.class,
                "--tokenpipe.notify.fd=" + this.writeFd, "--tokenpipe.notify.failure-token=9"));
        assertThat(output).contains("Application run failed").contains("java.lang.IllegalStateException: migration failed");
        assertThat(reader.tokenRead(WAIT)).isEqualTo(9);
        assertThat(reader.tokenRead(WAIT)).isEqualTo(TokenPipeEnd.TS_EOS);
    }

    @Test
    void writesReadyTokenFromAnInterruptedThreadAndLeavesItInterrupted() {
        try (ConfigurableApplicationContext context = run(SelfInterruptingApplication.class,
                "--tokenpipe.notify.fd=" + this.writeFd)) {
            assertThat(Thread.interrupted()).as("the runner's interrupt is still set (and cleared here)").isTrue();
            assertThat(reader.tokenRead(WAIT)).isEqualTo(1);
            assertThat(reader.tokenRead(WAIT)).isEqualTo(TokenPipeEnd.TS_EOS);
        }
    }

    @Test
    void writesFailureTokenFromAnInterruptedThreadAndLeavesItInterrupted(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(SelfInterruptingFailingApplication.class,
                "--tokenpipe.notify.fd=" + this.writeFd));
        assertThat(output).contains("java.lang.IllegalStateException: gave up waiting");
        assertThat(Thread.interrupted()).as("the runner's interrupt is still set (and cleared here)").isTrue();
        assertThat(reader.tokenRead(WAIT)).isEqualTo(0);
        assertThat(reader.tokenRead(WAIT)).isEqualTo(TokenPipeEnd.TS_EOS);
    }

    @Test
    void closesWithoutATokenWhenTheContextClosesBeforeItIsReady(CapturedOutput output) {
        run(ExitingRunnerApplication.class, "--tokenpipe.notify.fd=" + this.writeFd).close();
        assertThat(reader.tokenRead(WAIT)).isEqualTo(TokenPipeEnd.TS_EOS);
        assertThat(output).contains("Closed fd " + this.writeFd + " without a readiness token because the application"
                + " context closed before it was ready (the waiting process reads end of stream)");
    }

    @Test
    void refusesADescriptorThatIsNotAPipe(CapturedOutput output, @TempDir Path directory) throws IOException {
        Path file = Files.writeString(directory.resolve("not-a-pipe.txt"), "");
        int fileFd = RawFds.openReadOnly(file);
        assertThatException().isThrownBy(() -> run(PlainApplication.class, "--tokenpipe.notify.fd=" + fileFd))
            .isInstanceOf(InvalidTokenPipePropertyException.class);
        assertThat(output).contains("APPLICATION FAILED TO START")
            .contains("Invalid value '" + fileFd + "' for configuration property 'tokenpipe.notify.fd' (originating"
                    + " from '\"tokenpipe.notify.fd\" from property source \"commandLineArgs\"'): fd " + fileFd
                    + " is a regular file, not a pipe or FIFO")
            .contains("Action:")
            .contains("Start this application with the write end of a pipe or FIFO at descriptor " + fileFd);
        assertThat(RawFds.target("self", fileFd)).as("left open and untouched").isEqualTo(file.toString());
        RawFds.close(fileFd);
        giveBackUnusedWriteEnd();
    }

    @Test
    void refusesANegativeDescriptor(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(PlainApplication.class, "--tokenpipe.notify.fd=-1"));
        assertThat(output).contains("Invalid value '-1' for configuration property 'tokenpipe.notify.fd'")
            .contains("must be a file descriptor number, 3 or above (a negative number does not turn notification off)")
            .contains("Action:")
            .contains("or unset both to turn readiness notification off.");
        giveBackUnusedWriteEnd();
    }

    @Test
    void refusesStandardOutput(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(PlainApplication.class, "--tokenpipe.notify.fd=1"));
        assertThat(output).contains("Invalid value '1' for configuration property 'tokenpipe.notify.fd'")
            .contains("must be 3 or above: descriptors 0, 1 and 2 are standard input, output and error");
        giveBackUnusedWriteEnd();
    }

    @Test
    void refusesADescriptorThatIsNotOpen(CapturedOutput output) {
        int closedFd = 1000;
        assertThat(Path.of("/proc/self/fd/" + closedFd)).doesNotExist();
        assertThatException().isThrownBy(() -> run(PlainApplication.class, "--tokenpipe.notify.fd=" + closedFd));
        assertThat(output).contains("fd 1000 is not open: EBADF (Bad file descriptor)");
        giveBackUnusedWriteEnd();
    }

    @Test
    void refusesATokenOutOfRangeAndReportsEndOfStream(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(PlainApplication.class, "--tokenpipe.notify.fd=" + this.writeFd,
                "--tokenpipe.notify.ready-token=256"));
        assertThat(output).contains("Invalid value '256' for configuration property 'tokenpipe.notify.ready-token'")
            .contains("must be 0 to 255 (a token is one byte)")
            .contains("Set tokenpipe.notify.ready-token to a value from 0 to 255, or remove it to use the default.");
        assertThat(reader.tokenRead(WAIT)).isEqualTo(TokenPipeEnd.TS_EOS);
    }

    @Test
    void refusesEqualTokensWithoutSendingEither(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(PlainApplication.class, "--tokenpipe.notify.fd=" + this.writeFd,
                "--tokenpipe.notify.failure-token=1"));
        // the property that was set, not the default it collides with
        assertThat(output).contains("Invalid value '1' for configuration property 'tokenpipe.notify.failure-token'"
                + " (originating from '\"tokenpipe.notify.failure-token\" from property source \"commandLineArgs\"'):"
                + " must differ from tokenpipe.notify.ready-token (1, its default)");
        assertThat(reader.tokenRead(WAIT)).as("neither token: end of stream").isEqualTo(TokenPipeEnd.TS_EOS);
    }

    @Test
    void aReadyTokenEqualToTheDefaultFailureTokenIsNamedWithItsOrigin(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(PlainApplication.class, "--tokenpipe.notify.ready-token=0"));
        assertThat(output).contains("Invalid value '0' for configuration property 'tokenpipe.notify.ready-token'"
                + " (originating from '\"tokenpipe.notify.ready-token\" from property source \"commandLineArgs\"'):"
                + " must differ from tokenpipe.notify.failure-token (0, its default)");
        giveBackUnusedWriteEnd();
    }

    @Test
    void equalTokensBothSetNameTheReadyTokenAndWhereTheOtherCameFrom(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(PlainApplication.class, "--tokenpipe.notify.ready-token=7",
                "--tokenpipe.notify.failure-token=7"));
        assertThat(output).contains("Invalid value '7' for configuration property 'tokenpipe.notify.ready-token'"
                + " (originating from '\"tokenpipe.notify.ready-token\" from property source \"commandLineArgs\"'):"
                + " must differ from tokenpipe.notify.failure-token (7, from '\"tokenpipe.notify.failure-token\" from"
                + " property source \"commandLineArgs\"')");
        giveBackUnusedWriteEnd();
    }

    @Test
    void refusesABadTokenEvenWithoutADescriptor(CapturedOutput output) {
        assertThatException().isThrownBy(() -> run(PlainApplication.class, "--tokenpipe.notify.failure-token=-3"));
        assertThat(output).contains("Invalid value '-3' for configuration property 'tokenpipe.notify.failure-token'");
        giveBackUnusedWriteEnd();
    }

    @Test
    void leavesTheDescriptorOpenAndUntouchedDuringAotProcessing(CapturedOutput output) {
        int flags = RawFds.fdinfoFlags(this.writeFd);
        System.setProperty("spring.aot.processing", "true");
        try (ConfigurableApplicationContext context = run(PlainApplication.class, "--tokenpipe.notify.fd=" + this.writeFd,
                "--logging.level.io.tokenpipe=DEBUG")) {
            assertThat(reader.tokenRead(Duration.ZERO)).as("no token").isEqualTo(TokenPipeEnd.TS_TIMEOUT);
        }
        finally {
            System.clearProperty("spring.aot.processing");
        }
        assertThat(RawFds.fdinfoFlags(this.writeFd)).as("still open, still not close-on-exec").isEqualTo(flags);
        assertThat(TokenPipeReadinessNotifier.resetClaim()).as("not adopted").isEmpty();
        assertThat(output).contains("AOT processing: the readiness descriptor is left to the application's real runs");
        giveBackUnusedWriteEnd();
    }

    @Test
    void leavesTheDescriptorAloneWhenDisabled() {
        try (ConfigurableApplicationContext context = run(PlainApplication.class, "--tokenpipe.enabled=false",
                "--tokenpipe.notify.fd=" + this.writeFd)) {
            assertThat(context.getBeanNamesForType(TokenPipeFactory.class)).isEmpty();
            assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(TokenPipeEnd.TS_TIMEOUT);
        }
        giveBackUnusedWriteEnd();
    }

    @Test
    void onlyTheFirstApplicationInTheJvmClaimsTheDescriptor(CapturedOutput output) {
        int[] second = rawPipe();
        TokenPipeEnd secondReader = TokenPipeEnd.adopt(second[0]);
        int secondFd = second[1];
        try (ConfigurableApplicationContext first = run(PlainApplication.class, "--tokenpipe.notify.fd=" + this.writeFd);
                ConfigurableApplicationContext again = run(PlainApplication.class, "--tokenpipe.notify.fd=" + secondFd)) {
            assertThat(reader.tokenRead(WAIT)).isEqualTo(1);
            assertThat(secondReader.tokenRead(Duration.ZERO)).isEqualTo(TokenPipeEnd.TS_TIMEOUT);
            assertThat(output).contains("Not sending a readiness token to fd " + secondFd
                    + ": an earlier application in this JVM already claimed it");
        }
        RawFds.close(secondFd);
        assertThat(secondReader.tokenRead(WAIT)).isEqualTo(TokenPipeEnd.TS_EOS);
        secondReader.close();
    }

    @Test
    void inABuilderHierarchyTheChildsReadinessIsReportedNotTheParents() {
        seenByRunner.set(Integer.MIN_VALUE);
        SpringApplicationBuilder parent = parent();
        try (ConfigurableApplicationContext child = child(parent, ReadyApplication.class)
            .run("--tokenpipe.notify.fd=" + this.writeFd)) {
            assertThat(seenByRunner.get()).as("nothing written before the child's runners ran")
                .isEqualTo(TokenPipeEnd.TS_TIMEOUT);
            assertThat(reader.tokenRead(WAIT)).isEqualTo(1);
            assertThat(reader.tokenRead(WAIT)).isEqualTo(TokenPipeEnd.TS_EOS);
        }
        parent.context().close();
    }

    @Test
    void inABuilderHierarchyAChildThatFailsToStartWritesTheFailureToken(CapturedOutput output) {
        SpringApplicationBuilder parent = parent();
        assertThatException()
            .isThrownBy(() -> child(parent, FailingBeanApplication.class).run("--tokenpipe.notify.fd=" + this.writeFd))
            .havingRootCause()
            .withMessage("no database");
        assertThat(reader.tokenRead(WAIT)).as("not the ready parent's 1").isEqualTo(0);
        assertThat(reader.tokenRead(WAIT)).isEqualTo(TokenPipeEnd.TS_EOS);
        assertThat(output).contains("Leaving fd " + this.writeFd + " to the application that SpringApplicationBuilder"
                + " starts this one for");
        parent.context().close();
    }

    @Test
    void inABuilderHierarchyTheSiblingsReadinessIsReportedNotTheFirstChilds() {
        seenByRunner.set(Integer.MIN_VALUE);
        String notify = "--tokenpipe.notify.fd=" + this.writeFd;
        SpringApplicationBuilder parent = parent();
        SpringApplicationBuilder first = child(parent, PlainApplication.class);
        SpringApplicationBuilder sibling = first.sibling(new Class<?>[] { ReadyApplication.class }, notify)
            .web(WebApplicationType.NONE)
            .registerShutdownHook(false);
        try (ConfigurableApplicationContext context = sibling.run(notify)) {
            assertThat(seenByRunner.get()).as("nothing written before the sibling's runners ran")
                .isEqualTo(TokenPipeEnd.TS_TIMEOUT);
            assertThat(reader.tokenRead(WAIT)).isEqualTo(1);
        }
        first.context().close();
        parent.context().close();
    }

    /** For tests whose application never adopted the write end: close it, and see that nothing was written. */
    private void giveBackUnusedWriteEnd() {
        assertThat(RawFds.close(this.writeFd)).isZero();
        assertThat(reader.tokenRead(WAIT)).isEqualTo(TokenPipeEnd.TS_EOS);
    }

    /** A pipe as a parent would pass it: plain descriptors, adopted (and so made close-on-exec) by their owners. */
    private static int[] rawPipe() {
        int[] fds = new int[2];
        assertThat(RawFds.pipe(fds)).isZero();
        return fds;
    }

    /** A parent application with the starter's beans and nothing else, as SpringApplicationBuilder builds one. */
    private static SpringApplicationBuilder parent() {
        return new SpringApplicationBuilder(PlainApplication.class).web(WebApplicationType.NONE)
            .bannerMode(Banner.Mode.OFF)
            .registerShutdownHook(false);
    }

    private static SpringApplicationBuilder child(SpringApplicationBuilder parent, Class<?> child) {
        return parent.child(child).web(WebApplicationType.NONE).registerShutdownHook(false);
    }

    private static ConfigurableApplicationContext run(Class<?> application, String... args) {
        SpringApplication app = new SpringApplication(application);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setRegisterShutdownHook(false);
        app.setBannerMode(Banner.Mode.OFF);
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
            return (args) -> seenByRunner.set(reader.tokenRead(Duration.ZERO));
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class FailingBeanApplication {

        @Bean
        Object database() {
            throw new IllegalStateException("no database");
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class FailingRunnerApplication {

        @Bean
        ApplicationRunner failingRunner() {
            return (args) -> {
                throw new IllegalStateException("migration failed");
            };
        }

    }

    /** Its runner leaves the main thread interrupted, as code that swallowed an InterruptedException may. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class SelfInterruptingApplication {

        @Bean
        ApplicationRunner interruptingRunner() {
            return (args) -> Thread.currentThread().interrupt();
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class SelfInterruptingFailingApplication {

        @Bean
        ApplicationRunner interruptedAndFailingRunner() {
            return (args) -> {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("gave up waiting");
            };
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class ExitingRunnerApplication {

        @Bean
        ApplicationRunner exitingRunner(ConfigurableApplicationContext context) {
            return (args) -> context.close();
        }

    }

}
