package io.tokenpipe.spring.boot;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.NotifyReceiver;
import io.tokenpipe.testing.NotifyReceiver.Datagram;
import io.tokenpipe.testing.SystemdUserManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's systemd notification from applications started as real processes with NOTIFY_SOCKET in their
 * real environment: against Python's socket receiver (STOPPING on SIGTERM, daemon mode's MAINPID hand-over), and
 * against systemd itself (systemd --user in a cgroup and mount namespace of its own, see SystemdUserManager):
 * Type=notify, NotifyAccess=main, WatchdogSec= and daemon mode as systemd judges them.
 */
@ExtendWith(FdCount.class)
@Timeout(300)
class SystemdNotificationIT {

    private static final Pattern STARTED_COPY = Pattern.compile("started the application as pid (\\d+) ");

    @TempDir
    Path directory;

    @Test
    void sigtermMakesTheApplicationSayStoppingBeforeItExits() throws Exception {
        try (NotifyReceiver receiver = NotifyReceiver.atPath(this.directory.resolve("notify.sock"));
                ChildJvm app = ChildJvm.start(this.directory, "app", Map.of("NOTIFY_SOCKET", receiver.address()),
                        ServiceChildApplication.class)) {
            List<Datagram> started = receiver.awaitDatagrams(3);
            assertThat(started.get(2).text()).startsWith("READY=1\nSTATUS=Ready, started in ");
            assertThat(started).allSatisfy((datagram) -> assertThat(datagram.senderPid()).isEqualTo(app.pid()));

            app.process().destroy(); // SIGTERM
            assertThat(app.awaitExit()).as(app.text()).isEqualTo(143);
            Datagram stopping = receiver.awaitDatagrams(4).get(3);
            assertThat(stopping.text()).isEqualTo("STOPPING=1\nSTATUS=Stopping");
            assertThat(stopping.senderPid()).isEqualTo(app.pid());
        }
    }

    @Test
    void daemonModeHandsTheMainProcessToTheCopyWhichThenFeedsTheWatchdog() throws Exception {
        try (NotifyReceiver receiver = NotifyReceiver.atPath(this.directory.resolve("notify.sock"))) {
            // as systemd starts it: WATCHDOG_PID names the launcher, which exec keeps as the shell's pid
            List<String> java = JavaChild.command(ChildJvm.JVM_OPTIONS, ServiceChildApplication.class,
                    "--tokenpipe.daemon.wait=true", "--tokenpipe.daemon.log-file=copy.log");
            try (ChildJvm launcher = ChildJvm.startCommand(this.directory, "launcher",
                    Map.of("NOTIFY_SOCKET", receiver.address(), "WATCHDOG_USEC", "400000"),
                    shell("WATCHDOG_PID=$$; export WATCHDOG_PID; exec", java))) {
                long copy = launcher.track(Long.parseLong(launcher.await(STARTED_COPY)));
                assertThat(launcher.awaitExit()).as(launcher.text()).isZero();

                Datagram handOver = awaitFrom(receiver, launcher.pid(), 1).get(0);
                assertThat(handOver.text()).isEqualTo("MAINPID=" + copy + "\nREADY=1");
                List<Datagram> fromCopy = awaitFrom(receiver, copy, 5);
                assertThat(fromCopy.get(0).text()).isEqualTo("STATUS=Starting");
                assertThat(fromCopy.get(2).text()).startsWith("READY=1\n");
                assertThat(fromCopy.subList(3, 5)).extracting(Datagram::text).containsOnly("WATCHDOG=1");
                assertThat(receiver.datagrams()).as("the launcher sends nothing else")
                    .filteredOn((datagram) -> datagram.senderPid() == launcher.pid())
                    .hasSize(1);

                ProcessHandle.of(copy).orElseThrow().destroy();
                ChildJvm.awaitGone(copy);
            }
        }
    }

    @Test
    void withoutActuatorOnTheClassPathTheWatchdogFollowsTheLivenessState() throws Exception {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter((entry) -> !entry.contains("spring-boot-health") && !entry.contains("spring-boot-actuator"))
            .collect(Collectors.joining(File.pathSeparator));
        assertThat(classPath).isNotEqualTo(System.getProperty("java.class.path"));
        Path broken = this.directory.resolve("broken");
        List<String> command = new ArrayList<>(List.of(JavaChild.javaExecutable()));
        command.addAll(ChildJvm.JVM_OPTIONS);
        command.addAll(List.of("-cp", classPath, ServiceChildApplication.class.getName(), "--child.broken-file=" + broken));
        try (NotifyReceiver receiver = NotifyReceiver.atPath(this.directory.resolve("notify.sock"));
                ChildJvm app = ChildJvm.startCommand(this.directory, "app",
                        Map.of("NOTIFY_SOCKET", receiver.address(), "WATCHDOG_USEC", "400000"), command)) {
            List<Datagram> started = receiver.awaitDatagrams(5);
            assertThat(started.get(2).text()).startsWith("READY=1\n");
            assertThat(started.subList(3, 5)).extracting(Datagram::text).containsOnly("WATCHDOG=1");

            Files.writeString(broken, "LivenessState.BROKEN");
            awaitText(receiver, "STATUS=Unhealthy, watchdog withheld: LivenessState is BROKEN");
            assertThat(app.text()).doesNotContain("ClassNotFoundException", "NoClassDefFoundError")
                .contains("systemd watchdog: LivenessState is BROKEN; WATCHDOG=1 is withheld");
        }
    }

    @Test
    void systemdRunsTheApplicationAsTypeNotifyAndRestartsNothingUntilItsLivenessBreaks() throws Exception {
        assumeSystemd();
        try (SystemdUserManager systemd = SystemdUserManager.start(this.directory)) {
            Path output = this.directory.resolve("service.out");
            Path broken = this.directory.resolve("broken");
            String unit = "tokenpipe-starter-test.service";
            SystemdUserManager.Result started = systemd.startService(unit,
                    List.of("Type=notify", "NotifyAccess=main", "WatchdogSec=2", "TimeoutStartSec=60",
                            "StandardOutput=file:" + output, "StandardError=file:" + output),
                    JavaChild.command(ChildJvm.JVM_OPTIONS, ServiceChildApplication.class,
                            "--child.broken-file=" + broken));
            assertThat(started.exitCode()).as("systemd-run: %s; service: %s", started.output(), read(output)).isZero();
            Map<String, String> running = systemd.show(unit, "ActiveState", "SubState", "StatusText", "MainPID");
            assertThat(running).containsEntry("ActiveState", "active").containsEntry("SubState", "running");
            assertThat(running.get("StatusText")).startsWith("Ready, started in ");
            assertThat(Files.readString(Path.of("/proc", running.get("MainPID"), "cmdline"))).as(running.toString())
                .contains(ServiceChildApplication.class.getName());

            Thread.sleep(6_000); // three watchdog timeouts
            assertThat(systemd.show(unit, "ActiveState", "Result")).as(read(output))
                .containsEntry("ActiveState", "active").containsEntry("Result", "success");

            Files.writeString(broken, "LivenessState.BROKEN");
            Map<String, String> killed = systemd.awaitShow(unit, (state) -> "failed".equals(state.get("ActiveState")),
                    "ActiveState", "Result", "ExecMainStatus", "StatusText");
            assertThat(killed).as(read(output)).containsEntry("Result", "watchdog").containsEntry("ExecMainStatus", "6");
            assertThat(killed.get("StatusText")).isEqualTo("Unhealthy, watchdog withheld: LivenessState is BROKEN");
            assertThat(read(output)).contains("systemd watchdog: LivenessState is BROKEN; WATCHDOG=1 is withheld");
        }
    }

    @Test
    void systemdTakesTheDaemonModeCopyAsTheMainProcessAndStopsIt() throws Exception {
        assumeSystemd();
        try (SystemdUserManager systemd = SystemdUserManager.start(this.directory)) {
            Path output = this.directory.resolve("launcher.out");
            Path log = this.directory.resolve("copy.log");
            String unit = "tokenpipe-daemon-test.service";
            SystemdUserManager.Result started = systemd.startService(unit,
                    List.of("Type=notify", "NotifyAccess=main", "WatchdogSec=2", "TimeoutStartSec=60",
                            "StandardOutput=file:" + output, "StandardError=file:" + output),
                    JavaChild.command(ChildJvm.JVM_OPTIONS, ServiceChildApplication.class,
                            "--tokenpipe.daemon.wait=true", "--tokenpipe.daemon.log-file=" + log));
            assertThat(started.exitCode()).as("systemd-run: %s; launcher: %s", started.output(), read(output)).isZero();
            // systemd-run returns on the launcher's READY=1, which it sends just before it logs this
            String copy = awaitMatch(output, Pattern.compile("ready in the background, pid (\\d+)"));
            assertThat(systemd.show(unit, "ActiveState", "MainPID")).containsEntry("ActiveState", "active")
                .containsEntry("MainPID", copy);

            Thread.sleep(6_000); // three watchdog timeouts: the copy feeds it, WATCHDOG_PID no longer names another
            assertThat(systemd.show(unit, "ActiveState", "Result", "MainPID")).as(read(log))
                .containsEntry("ActiveState", "active").containsEntry("Result", "success").containsEntry("MainPID", copy);

            // This nested manager does not wait after SIGTERM for a main process it did not fork (a python daemon
            // that traps SIGTERM fares the same): SIGKILL follows at once, so "failed" (signal) is what it says.
            SystemdUserManager.Result stopped = systemd.systemctl("stop", unit);
            assertThat(stopped.exitCode()).as(stopped.output()).isZero();
            assertThat(systemd.show(unit, "ActiveState").get("ActiveState")).isIn("inactive", "failed");
            ChildJvm.awaitGone(Long.parseLong(copy));
            assertThat(read(log)).contains("Started ServiceChildApplication");
        }
    }

    private static void assumeSystemd() {
        Assumptions.assumeTrue(SystemdUserManager.unavailableReason().isEmpty(),
                () -> SystemdUserManager.unavailableReason().orElseThrow());
    }

    /** The first {@code count} datagrams that {@code pid} sent, once they arrived; fails after a hang guard. */
    private static List<Datagram> awaitFrom(NotifyReceiver receiver, long pid, int count) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            List<Datagram> from = receiver.datagrams().stream().filter((datagram) -> datagram.senderPid() == pid)
                .toList();
            if (from.size() >= count) {
                return from.subList(0, count);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " datagrams from pid " + pid + ": " + receiver.datagrams());
            }
            Thread.sleep(10);
        }
    }

    private static void awaitText(NotifyReceiver receiver, String text) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (receiver.datagrams().stream().noneMatch((datagram) -> datagram.text().equals(text))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' among " + receiver.datagrams());
            }
            Thread.sleep(10);
        }
    }

    private static String awaitMatch(Path file, Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            java.util.regex.Matcher matcher = pattern.matcher(read(file));
            if (matcher.find()) {
                return matcher.group(1);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + pattern + " in " + file + ": " + read(file));
            }
            Thread.sleep(10);
        }
    }

    private static List<String> shell(String prefix, List<String> command) {
        StringBuilder line = new StringBuilder(prefix);
        for (String word : command) {
            line.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        return new ArrayList<>(List.of("sh", "-c", line.toString()));
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no output)";
        }
        catch (java.io.IOException ex) {
            return ex.toString();
        }
    }

}
