package io.tokenpipe.spring.cloud;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.SystemdUserManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Cloud's RestartEndpoint under systemd itself (systemd --user, see SystemdUserManager): a Type=notify unit
 * stays active through a restart of its application in the same JVM, and a JVM that then closes its context and
 * exits ends the unit at once, successfully. Before the starter said RELOADING=1 for such a close, its STOPPING=1
 * left the unit deactivating until TimeoutStopSec killed it.
 */
@ExtendWith(FdCount.class)
@Timeout(240)
class RestartUnderSystemdIT {

    @TempDir
    Path directory;

    @Test
    void aRestartedApplicationKeepsItsUnitActiveAndItsExitEndsIt() throws Exception {
        Assumptions.assumeTrue(SystemdUserManager.unavailableReason().isEmpty(),
                () -> SystemdUserManager.unavailableReason().orElseThrow());
        try (SystemdUserManager systemd = SystemdUserManager.start(this.directory)) {
            Path output = this.directory.resolve("service.out");
            Path stop = this.directory.resolve("stop");
            String unit = "tokenpipe-restart-test.service";
            SystemdUserManager.Result started = systemd.startService(unit,
                    List.of("Type=notify", "NotifyAccess=main", "TimeoutStartSec=60", "TimeoutStopSec=2",
                            "StandardOutput=file:" + output, "StandardError=file:" + output),
                    JavaChild.command(List.of("-Dchild.stop-file=" + stop), RestartUnderSystemdChild.class));
            assertThat(started.exitCode()).as("systemd-run: %s; service: %s", started.output(), read(output)).isZero();
            awaitLine(output, "restarted");

            Thread.sleep(3_000); // longer than TimeoutStopSec: a unit that took the restart for a stop is killed now
            Map<String, String> restarted = systemd.show(unit, "ActiveState", "SubState", "Result", "StatusText");
            assertThat(restarted).as("%s; %s", read(output), systemd.log()).containsEntry("ActiveState", "active")
                .containsEntry("SubState", "running")
                .containsEntry("Result", "success");
            assertThat(restarted.get("StatusText")).startsWith("Ready, started in ");

            Files.writeString(stop, "stop");
            Map<String, String> ended = systemd.awaitShow(unit,
                    (state) -> !"active".equals(state.get("ActiveState"))
                            && !"reloading".equals(state.get("ActiveState"))
                            && !"deactivating".equals(state.get("ActiveState")),
                    "ActiveState", "Result", "ExecMainStatus");
            assertThat(ended).as("%s; %s", read(output), systemd.log()).containsEntry("Result", "success")
                .containsEntry("ExecMainStatus", "0");
            assertThat(ended.get("ActiveState")).isIn("inactive", "failed");
            assertThat(read(output)).contains("closed");
        }
    }

    private static void awaitLine(Path output, String line) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!read(output).lines().anyMatch(line::equals)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no line '" + line + "' in " + read(output));
            }
            Thread.sleep(20);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

}
