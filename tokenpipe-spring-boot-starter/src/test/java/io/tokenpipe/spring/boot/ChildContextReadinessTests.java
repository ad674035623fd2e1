package io.tokenpipe.spring.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

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

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A context publishes its events to its parent's listeners too. An application that starts a child context of
 * its own (a plugin, with {@code SpringApplicationBuilder.parent(self)}) while its runners run must not report
 * itself ready when the child is: the token and READY=1 come once the application's own runners are done.
 */
@ExtendWith({ FdCount.class, QuietOutput.class })
@Timeout(60)
class ChildContextReadinessTests {

    static final AtomicInteger tokenSeenByRunner = new AtomicInteger(Integer.MIN_VALUE);

    static volatile List<String> datagramsSeenByRunner = List.of();

    static volatile TokenPipeEnd reader;

    static volatile NotifyReceiver receiver;

    @TempDir
    Path directory;

    private int writeFd;

    @BeforeEach
    void makePipeAndReceiver() throws Exception {
        TokenPipeReadinessNotifier.resetClaim();
        int[] fds = new int[2];
        assertThat(RawFds.pipe(fds)).isZero();
        reader = TokenPipeEnd.adopt(fds[0]);
        this.writeFd = fds[1];
        receiver = NotifyReceiver.atPath(this.directory.resolve("notify.sock"));
        SystemdReadinessNotifier.useEnvironmentForTests(java.util.Map.of("NOTIFY_SOCKET", receiver.address()));
    }

    @AfterEach
    void closeAll() {
        SystemdReadinessNotifier.useEnvironmentForTests(null);
        receiver.close();
        reader.close();
        TokenPipeReadinessNotifier.resetClaim();
    }

    @Test
    void aChildContextStartedByARunnerDoesNotMakeTheApplicationReady() {
        SpringApplication application = new SpringApplication(ChildStartingApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setRegisterShutdownHook(false);
        application.setBannerMode(Banner.Mode.OFF);
        try (ConfigurableApplicationContext context = application.run("--tokenpipe.notify.fd=" + this.writeFd)) {
            assertThat(tokenSeenByRunner.get()).as("the pipe while the application's runner still ran")
                .isEqualTo(TokenPipeEnd.TS_TIMEOUT);
            assertThat(datagramsSeenByRunner).as("systemd's datagrams while the runner still ran")
                .noneMatch((text) -> text.startsWith("READY=1"));
            assertThat(reader.tokenRead(Duration.ofSeconds(20))).as("the token once the runner is done").isEqualTo(1);
            assertThat(receiver.awaitTexts(datagramsSeenByRunner.size() + 1))
                .anyMatch((text) -> text.startsWith("READY=1"));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class Plugin {

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class ChildStartingApplication {

        @Bean
        ApplicationRunner startAPlugin(ConfigurableApplicationContext self) {
            return (args) -> {
                try (ConfigurableApplicationContext plugin = new SpringApplicationBuilder(Plugin.class).parent(self)
                    .web(WebApplicationType.NONE)
                    .bannerMode(Banner.Mode.OFF)
                    .registerShutdownHook(false)
                    .run()) {
                    tokenSeenByRunner.set(reader.tokenRead(Duration.ofMillis(500)));
                    datagramsSeenByRunner = receiver.datagrams().stream().map(NotifyReceiver.Datagram::text).toList();
                }
            };
        }

    }

}
