package io.tokenpipe.spring.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** Daemon mode's pieces that need no process: the copy's command line, durations, the reason from its output. */
class DaemonCommandTests {

    private static final List<String> COPY_SETTINGS = List.of("-Dtokenpipe.daemon.copy=true",
            "-Dtokenpipe.daemon.wait=false",
            "-Dtokenpipe.enabled=true", "-Dtokenpipe.notify.fd=3", "-Dtokenpipe.notify.ready-token=1",
            "-Dtokenpipe.notify.failure-token=0");

    @TempDir
    Path directory;

    @Test
    void copyOfAClassPathLaunchHasTheSameJvmMainClassAndArgumentsWithoutTheDaemonSwitch() {
        DaemonCommand command = new DaemonCommand("/jdk/bin/java", List.of("-Xmx64m", "-Dtokenpipe.daemon.wait=true"),
                "/app/classes:/app/lib.jar", "com.example.App", false,
                List.of("--server.port=0", "--tokenpipe.daemon.wait=true", "--tokenpipe.daemon.log-file=app.log",
                        "plain"));
        assertThat(command.isJar()).isFalse();
        assertThat(command.copy()).containsExactlyElementsOf(concat(List.of("/jdk/bin/java", "-Xmx64m"), COPY_SETTINGS,
                List.of("-cp", "/app/classes:/app/lib.jar", "com.example.App", "--server.port=0",
                        "--tokenpipe.daemon.log-file=app.log", "plain")));
    }

    @Test
    void copyOfAJarLaunchRunsTheJarAgain() {
        DaemonCommand command = new DaemonCommand("/jdk/bin/java", List.of(), "app.jar", "app.jar", true,
                List.of("--tokenpipe.daemon.wait"));
        assertThat(command.copy()).containsExactlyElementsOf(concat(List.of("/jdk/bin/java"), COPY_SETTINGS,
                List.of("-jar", "app.jar")));
    }

    @Test
    void theNotificationSettingsTheLauncherReadsCannotBeOverriddenForTheCopy() {
        // the launcher reads 1 as ready: other tokens, or notification off, must not reach the copy in any form
        DaemonCommand command = new DaemonCommand("java", List.of("-Dtokenpipe.notify.readyToken=0",
                "-Dtokenpipe.enabled=false", "-Dtokenpipe.daemon.copy=false"), "cp", "Main", false,
                List.of("--tokenpipe.notify.ready-token=0", "--tokenpipe.notify.failureToken=1",
                        "--tokenpipe.enabled=false", "--tokenpipe.max-open-pipes=8"));
        assertThat(command.copy()).containsExactlyElementsOf(concat(List.of("java"), COPY_SETTINGS,
                List.of("-cp", "cp", "Main", "--tokenpipe.max-open-pipes=8")));
    }

    @Test
    void theCopysSettingsAsAPropertySourceAreThoseOfItsCommandLine() {
        assertThat(DaemonCommand.copySettingsSource().getSource()).containsExactly(
                Map.entry("tokenpipe.daemon.copy", "true"), Map.entry("tokenpipe.daemon.wait", "false"),
                Map.entry("tokenpipe.enabled", "true"), Map.entry("tokenpipe.notify.fd", "3"),
                Map.entry("tokenpipe.notify.ready-token", "1"), Map.entry("tokenpipe.notify.failure-token", "0"));
    }

    @Test
    void aLaunchIsRepeatedAsItWasMade() throws IOException {
        String[] args = { "--x=1" };
        Path jar = Files.writeString(this.directory.resolve("app.jar"), "not read");
        DaemonCommand jarLaunch = DaemonCommand.of("java", List.of(), jar.toString(), jar + " --x=1", args, null);
        assertThat(jarLaunch.isJar()).isTrue();
        assertThat(jarLaunch.copy()).containsSubsequence("-jar", jar.toString(), "--x=1");

        // java -jar booter.jar, whose code then set java.class.path to another class path (as surefire does)
        DaemonCommand booter = DaemonCommand.of("java", List.of(), "/a:/b", jar + " /tmp/x", args, null);
        assertThat(booter.copy()).containsSubsequence("-jar", jar.toString(), "--x=1").doesNotContain("/tmp/x");

        DaemonCommand classLaunch = DaemonCommand.of("java", List.of(), "/a:/b", "com.example.App --x=1", args, null);
        assertThat(classLaunch.isJar()).isFalse();
        assertThat(classLaunch.copy()).containsSubsequence("-cp", "/a:/b", "com.example.App", "--x=1");

        DaemonCommand unknown = DaemonCommand.of("java", List.of(), "/a", "", args, DaemonCommandTests.class);
        assertThat(unknown.copy()).containsSubsequence("-cp", "/a", DaemonCommandTests.class.getName(), "--x=1");

        assertThatIllegalStateException()
            .isThrownBy(() -> DaemonCommand.of("java", List.of(), "", "com.example/com.example.App", args, null))
            .withMessageContaining("started as 'com.example/com.example.App' (a module launch");
    }

    @Test
    void thisJvmIsRepeatedWithItsOwnJava() {
        assertThat(DaemonCommand.ofThisJvm(new String[] { "--x=1" }, DaemonCommandTests.class).copy())
            .startsWith(Path.of(System.getProperty("java.home"), "bin", "java").toString())
            .endsWith("--x=1");
    }

    @Test
    void durationsReadAsInProperties() {
        assertThat(DaemonLauncher.format(Duration.ofSeconds(60))).isEqualTo("1m");
        assertThat(DaemonLauncher.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
        assertThat(DaemonLauncher.format(Duration.ofSeconds(3))).isEqualTo("3s");
        assertThat(DaemonLauncher.format(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(DaemonLauncher.format(Duration.ofMillis(250))).isEqualTo("250ms");
    }

    @Test
    void reasonIsTheDescriptionOfTheLastFailureReportOrTheLastCause() throws IOException {
        Path log = this.directory.resolve("copy.log");
        Files.writeString(log, String.join("\n", "starting", "***************************",
                "APPLICATION FAILED TO START", "***************************", "", "Description:", "",
                "worker pid 42 exited with code 3 before signalling readiness", "", "Action:", "", "Look above.", ""));
        assertThat(DaemonLauncher.reasonFrom(log))
            .isEqualTo(": worker pid 42 exited with code 3 before signalling readiness");
        Files.writeString(log, String.join("\n", "ERROR Application run failed",
                "org.springframework.beans.factory.BeanCreationException: Error creating bean 'database'",
                "\tat org.example.App.main(App.java:1)", "Caused by: java.lang.IllegalStateException: no database",
                "\t... 20 more", ""));
        assertThat(DaemonLauncher.reasonFrom(log)).isEqualTo(": java.lang.IllegalStateException: no database");
        Files.writeString(log, "no report here\n");
        assertThat(DaemonLauncher.reasonFrom(log)).isEmpty();
        assertThat(DaemonLauncher.reasonFrom(this.directory.resolve("missing.log"))).isEmpty();
        assertThat(DaemonLauncher.reasonFrom(Path.of("/dev/null"))).isEmpty();
    }

    @Test
    void pidFileIsWrittenWholeInOneMove() throws IOException {
        Path pidFile = this.directory.resolve("app.pid");
        Files.writeString(pidFile, "stale and longer than a pid\n");
        DaemonLauncher.writePidFile(pidFile, 4242);
        assertThat(pidFile).hasContent("4242");
        try (var entries = Files.list(this.directory)) {
            assertThat(entries).containsExactly(pidFile);
        }
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        return java.util.Arrays.stream(parts).flatMap(List::stream).toList();
    }

}
