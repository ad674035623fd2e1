package io.tokenpipe.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.BindException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The launcher's pieces that need no process: its settings, the copy's arguments, the reason from the log. */
class DaemonLauncherTests {

    @TempDir
    Path directory;

    @Test
    void daemonWaitIsRequestedOnTheCommandLine() {
        assertThat(DaemonLauncher.requested(new String[] { "--demo.daemon-wait=true" })).isTrue();
        assertThat(DaemonLauncher.requested(new String[] { "--demo.daemonWait=true" })).isTrue();
        assertThat(DaemonLauncher.requested(new String[] { "--demo.daemon-wait=false" })).isFalse();
        assertThat(DaemonLauncher.requested(new String[0])).isFalse();
        // a value that cannot be bound is left to the application, which reports it with Boot's failure report
        assertThat(DaemonLauncher.requested(new String[] { "--demo.daemon-wait=perhaps" })).isFalse();
    }

    @Test
    void waitIsTheWorkerTimeoutPlusAMinuteUnlessSet() {
        DemoProperties defaults = DaemonLauncher.bind(new String[0]);
        assertThat(defaults.effectiveDaemonWaitTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(defaults.getLogFile()).isEqualTo("demo-app.log");
        DemoProperties shorter = DaemonLauncher.bind(new String[] { "--demo.worker.timeout=5s" });
        assertThat(shorter.effectiveDaemonWaitTimeout()).isEqualTo(Duration.ofSeconds(65));
        DemoProperties set = DaemonLauncher.bind(new String[] { "--demo.daemon-wait-timeout=2s" });
        assertThat(set.effectiveDaemonWaitTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void negativeDurationIsRefusedNamingThePropertyAndValue() {
        assertThatExceptionOfType(BindException.class)
            .isThrownBy(() -> DaemonLauncher.bind(new String[] { "--demo.worker.timeout=-1s" }))
            .satisfies((ex) -> assertThat(DaemonLauncher.describe(ex))
                .isEqualTo("invalid demo.worker.timeout=-1s: must be zero or more, not PT-1S"));
    }

    @Test
    void copyGetsTheArgumentsWithoutDaemonWaitAndWithTheNotifyDescriptor() {
        List<String> args = List.of("--server.port=0", "--demo.daemon-wait=true", "--demo.daemonWait",
                "--tokenpipe.notify.fd=9", "--demo.worker.delay=1s", "plain");
        assertThat(DaemonLauncher.daemonArguments(args)).containsExactly("--server.port=0", "--demo.worker.delay=1s",
                "plain", "--demo.daemon-wait=false", "--tokenpipe.notify.fd=3", "--tokenpipe.enabled=true",
                "--tokenpipe.notify.ready-token=1", "--tokenpipe.notify.failure-token=0");
    }

    @Test
    void copyGetsTheNotificationSettingsTheLauncherReadsWhateverItWasGiven() {
        // the launcher reads 1 as ready: other tokens, or notification off, must not reach the copy
        List<String> args = List.of("--tokenpipe.notify.ready-token=0", "--tokenpipe.notify.failureToken=1",
                "--tokenpipe.enabled=false", "--tokenpipe.notify.ready_token=7", "--tokenpipe.max-open-pipes=8");
        assertThat(DaemonLauncher.daemonArguments(args)).containsExactly("--tokenpipe.max-open-pipes=8",
                "--demo.daemon-wait=false", "--tokenpipe.notify.fd=3", "--tokenpipe.enabled=true",
                "--tokenpipe.notify.ready-token=1", "--tokenpipe.notify.failure-token=0");
    }

    @Test
    void reasonIsTheDescriptionOfTheLastFailureReport() throws IOException {
        Path log = this.directory.resolve("demo-app.log");
        Files.writeString(log, String.join("\n", "starting", "***************************",
                "APPLICATION FAILED TO START", "***************************", "", "Description:", "",
                "worker pid 42 exited with code 3 before signalling readiness", "", "Action:", "", "Look above.", ""));
        assertThat(DaemonLauncher.reasonFrom(log)).isEqualTo(": worker pid 42 exited with code 3 before signalling readiness");
        Files.writeString(log, "no report here\n");
        assertThat(DaemonLauncher.reasonFrom(log)).isEmpty();
        assertThat(DaemonLauncher.reasonFrom(this.directory.resolve("missing.log"))).isEmpty();
    }

}
