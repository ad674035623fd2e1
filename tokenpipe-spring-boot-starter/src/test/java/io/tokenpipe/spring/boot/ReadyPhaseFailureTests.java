package io.tokenpipe.spring.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.NotifyReceiver;
import io.tokenpipe.testing.QuietOutput;
import io.tokenpipe.testing.RawFds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * A failure thrown by an {@code ApplicationReadyEvent} listener fails the run, but Boot publishes no
 * {@code ApplicationFailedEvent} for it: the parent must still read the failure token, and systemd the failure
 * STATUS, not "Stopping".
 */
@ExtendWith({ FdCount.class, QuietOutput.class })
@Timeout(60)
class ReadyPhaseFailureTests {

    @TempDir
    Path directory;

    private TokenPipeEnd reader;

    private int writeFd;

    private NotifyReceiver receiver;

    @BeforeEach
    void makePipeAndReceiver() throws Exception {
        TokenPipeReadinessNotifier.resetClaim();
        int[] fds = new int[2];
        assertThat(RawFds.pipe(fds)).isZero();
        this.reader = TokenPipeEnd.adopt(fds[0]);
        this.writeFd = fds[1];
        this.receiver = NotifyReceiver.atPath(this.directory.resolve("notify.sock"));
        SystemdReadinessNotifier.useEnvironmentForTests(Map.of("NOTIFY_SOCKET", this.receiver.address()));
    }

    @AfterEach
    void closeAll() {
        SystemdReadinessNotifier.useEnvironmentForTests(null);
        this.receiver.close();
        this.reader.close();
        TokenPipeReadinessNotifier.resetClaim();
    }

    @Test
    void aFailingReadyListenerWritesTheFailureTokenAndTellsSystemdWhy() {
        SpringApplication application = new SpringApplication(FailingOnReady.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setRegisterShutdownHook(false);
        application.setBannerMode(Banner.Mode.OFF);
        assertThatIllegalStateException().isThrownBy(() -> application.run("--tokenpipe.notify.fd=" + this.writeFd))
            .withMessage("cache warm-up failed");
        assertThat(this.reader.tokenRead(Duration.ofSeconds(20))).as("the token").isZero();
        assertThat(this.reader.tokenRead(Duration.ofSeconds(20))).as("then").isEqualTo(TokenPipeEnd.TS_EOS);
        assertThat(this.receiver.awaitTexts(3)).containsExactly("STATUS=Starting",
                "STATUS=Started, running the application runners",
                "STATUS=Failed to start: IllegalStateException: cache warm-up failed");
        // Datagrams arrive in order: a marker sent now comes next unless something (STOPPING=1) came before it.
        assertThat(io.tokenpipe.SystemdNotifier.forSocket(this.receiver.address()).send("STATUS=marker").isSent())
            .isTrue();
        assertThat(this.receiver.awaitTexts(4).get(3)).as("nothing after the failure").isEqualTo("STATUS=marker");
    }

    @Test
    void aFailingListenerOfAcceptingTrafficWritesTheFailureTokenAndNoReady() {
        SpringApplication application = new SpringApplication(FailingOnAcceptingTraffic.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setRegisterShutdownHook(false);
        application.setBannerMode(Banner.Mode.OFF);
        assertThatIllegalStateException().isThrownBy(() -> application.run("--tokenpipe.notify.fd=" + this.writeFd))
            .withMessage("the load balancer refused the registration");
        assertThat(this.reader.tokenRead(Duration.ofSeconds(20))).as("the token").isZero();
        assertThat(this.reader.tokenRead(Duration.ofSeconds(20))).as("then").isEqualTo(TokenPipeEnd.TS_EOS);
        assertThat(this.receiver.awaitTexts(3)).containsExactly("STATUS=Starting",
                "STATUS=Started, running the application runners",
                "STATUS=Failed to start: IllegalStateException: the load balancer refused the registration");
        assertThat(io.tokenpipe.SystemdNotifier.forSocket(this.receiver.address()).send("STATUS=marker").isSent())
            .isTrue();
        assertThat(this.receiver.awaitTexts(4).get(3)).as("no READY=1, nothing after the failure")
            .isEqualTo("STATUS=marker");
    }

    /** A bean listener of Boot's readiness, which the multicaster calls after the starter's listeners. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class FailingOnAcceptingTraffic {

        @Bean
        LoadBalancerRegistration loadBalancerRegistration() {
            return new LoadBalancerRegistration();
        }

    }

    static class LoadBalancerRegistration implements ApplicationListener<AvailabilityChangeEvent<ReadinessState>> {

        @Override
        public void onApplicationEvent(AvailabilityChangeEvent<ReadinessState> event) {
            if (event.getState() == ReadinessState.ACCEPTING_TRAFFIC) {
                throw new IllegalStateException("the load balancer refused the registration");
            }
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class FailingOnReady {

        @Bean
        ApplicationListener<ApplicationReadyEvent> warmUpCache() {
            return (event) -> {
                throw new IllegalStateException("cache warm-up failed");
            };
        }

    }

}
