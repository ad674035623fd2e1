package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.SystemdServiceMain;
import io.tokenpipe.testing.SystemdUserManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SystemdNotifier judged by systemd itself: a real service manager (systemd --user, see SystemdUserManager) runs
 * a JVM as a Type=notify unit with NotifyAccess=main and WatchdogSec=, and says what it made of our datagrams.
 */
@ExtendWith(FdCount.class)
@Timeout(180)
class SystemdNotifierUnderSystemdIT {
    @TempDir
    Path temp;

    @Test
    void systemdTakesOurReadyAndStatusFromTheMainProcessAndKillsTheServiceOnlyWhenItsWatchdogStops()
            throws Exception {
        Assumptions.assumeTrue(SystemdUserManager.unavailableReason().isEmpty(),
                () -> SystemdUserManager.unavailableReason().orElseThrow());
        try (SystemdUserManager systemd = SystemdUserManager.start(temp)) {
            Path output = temp.resolve("service.out");
            String unit = "tokenpipe-notify-test.service";
            SystemdUserManager.Result started = systemd.startService(unit,
                    List.of("Type=notify", "NotifyAccess=main", "WatchdogSec=2", "TimeoutStartSec=30",
                            "StandardOutput=file:" + output,
                            "StandardError=file:" + output),
                    JavaChild.command(List.of(), SystemdServiceMain.class, temp.toString()));

            // systemd-run returns once the start job is done: for Type=notify that is our READY=1
            assertThat(started.exitCode()).as("systemd-run: %s; service: %s", started.output(), read(output)).isZero();
            Map<String, String> running = systemd.show(unit, "ActiveState", "SubState", "StatusText", "MainPID",
                    "WatchdogUSec", "NotifyAccess");
            assertThat(running).containsEntry("ActiveState", "active").containsEntry("SubState", "running")
                    .containsEntry("StatusText", "Serving").containsEntry("WatchdogUSec", "2s")
                    .containsEntry("NotifyAccess", "main")
                    .containsEntry("MainPID", Files.readString(temp.resolve("pid")).strip());

            // three watchdog timeouts later, a service that keeps sending WATCHDOG=1 is still running
            Thread.sleep(6_000);
            assertThat(systemd.show(unit, "ActiveState", "Result", "NRestarts")).as(read(output))
                    .containsEntry("ActiveState", "active").containsEntry("Result", "success");

            Files.writeString(temp.resolve("hang"), "stop feeding the watchdog");
            Map<String, String> killed = systemd.awaitShow(unit, unitState -> "failed".equals(unitState.get("ActiveState")),
                    "ActiveState", "Result", "ExecMainCode", "ExecMainStatus");
            assertThat(killed).as(read(output)).containsEntry("Result", "watchdog")
                    .containsEntry("ExecMainCode", "2") // CLD_KILLED
                    .containsEntry("ExecMainStatus", "6"); // SIGABRT, systemd's default WatchdogSignal
            assertThat(read(output)).contains("ready: sent").contains("watchdog: sent")
                    .contains("backend: " + TokenPipePlatform.backend()) // the service runs on this run's backend
                    .doesNotContain("failed");
        }
    }

    private static String read(Path file) throws java.io.IOException {
        return Files.exists(file) ? Files.readString(file) : "(no output)";
    }
}
