package io.tokenpipe.spring.boot;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The s6 recipe against real s6 (Debian package {@code s6}, which {@code .ci/run} installs): s6-svscan supervises a
 * service whose {@code notification-fd} file says 3 and whose run script starts an application with the starter.
 * s6-supervise reads that descriptor up to a newline, so {@code --tokenpipe.notify.ready-token=10} marks the service
 * ready ({@code s6-svwait -U} returns 0), and the default token 1 never does. Every process's output goes to files.
 */
@ExtendWith(FdCount.class)
@Timeout(300)
class S6NotificationIT {

    private static final Duration START_UP = Duration.ofSeconds(120);

    private static final Pattern SERVICE_PID = Pattern.compile("up \\(pid (\\d+)\\)");

    @TempDir
    Path directory;

    private Process svscan;

    private Path service;

    @Test
    void newlineTokenMarksTheServiceReady() throws Exception {
        startService("--tokenpipe.notify.ready-token=10");
        Command wait = s6("s6-svwait", "-U", "-t", Long.toString(START_UP.toMillis()), this.service.toString());
        assertThat(wait.exitCode).as("s6-svwait -U: %s%nservice log:%n%s", wait.output, log()).isZero();
        assertThat(s6("s6-svstat", this.service.toString()).output).containsPattern("^up \\(pid \\d+\\) \\d+ seconds, ready");
        awaitLog("Application ready: wrote token 10 to fd 3"); // logged just after the write that s6 saw
    }

    @Test
    void theDefaultTokenNeverMarksAnS6ServiceReady() throws Exception {
        startService();
        awaitLog("Application ready: wrote token 1 to fd 3");
        String status = s6("s6-svstat", this.service.toString()).output;
        assertThat(status).as("running, but not ready").startsWith("up (pid ").doesNotContain("ready");
        Command wait = s6("s6-svwait", "-U", "-t", "2000", this.service.toString());
        assertThat(wait.exitCode).as("s6-svwait times out: %s", wait.output).isEqualTo(99);
    }

    /** Writes the service directory (run script, notification-fd) and starts s6-svscan on its scan directory. */
    private void startService(String... args) throws IOException, InterruptedException {
        Path scan = Files.createDirectories(this.directory.resolve("scan"));
        this.service = Files.createDirectories(scan.resolve("app"));
        Files.writeString(this.service.resolve("notification-fd"), "3\n");
        StringBuilder run = new StringBuilder("#!/bin/sh\nexec");
        List<String> command = new java.util.ArrayList<>(JavaChild.command(
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"), S6ServiceApplication.class,
                "--tokenpipe.notify.fd=3", "--logging.level.io.tokenpipe.spring.boot=DEBUG"));
        command.addAll(List.of(args));
        for (String word : command) {
            run.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        run.append(" >> '").append(this.directory.resolve("service.log")).append("' 2>&1\n");
        Path script = Files.writeString(this.service.resolve("run"), run);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        this.svscan = new ProcessBuilder(executable("s6-svscan"), scan.toString())
            .redirectInput(new File("/dev/null"))
            .redirectErrorStream(true)
            .redirectOutput(this.directory.resolve("svscan.log").toFile())
            .start();
        awaitSupervised();
    }

    /** Until s6-svscan has started s6-supervise for the service: before that, s6-svwait finds no status to read. */
    private void awaitSupervised() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (s6("s6-svok", this.service.toString()).exitCode != 0) {
            if (System.nanoTime() > deadline) {
                fail("s6-supervise did not start for %s within 30 s", this.service);
            }
            Thread.sleep(20);
        }
    }

    @AfterEach
    void stopService() throws Exception {
        if (this.svscan == null) {
            return;
        }
        Matcher pid = SERVICE_PID.matcher(s6("s6-svstat", this.service.toString()).output);
        s6("s6-svc", "-dx", this.service.toString()); // SIGTERM to the application, then s6-supervise exits
        s6("s6-svscanctl", "-t", this.service.getParent().toString());
        if (!this.svscan.waitFor(60, TimeUnit.SECONDS)) {
            this.svscan.destroyForcibly().waitFor();
        }
        if (pid.find()) {
            ProcessHandle.of(Long.parseLong(pid.group(1))).ifPresent((application) -> {
                if (!application.onExit().completeOnTimeout(null, 60, TimeUnit.SECONDS).isDone()
                        || application.isAlive()) {
                    application.destroyForcibly();
                }
            });
        }
    }

    private String log() {
        try {
            return Files.readString(this.directory.resolve("service.log"));
        }
        catch (IOException ex) {
            return "";
        }
    }

    private void awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + START_UP.toNanos();
        while (!log().contains(text)) {
            if (System.nanoTime() > deadline) {
                fail("no '%s' within %s in the service log:%n%s", text, START_UP, log());
            }
            Thread.sleep(100);
        }
    }

    /** Runs an s6 command to its end (at most 3 minutes): exit code and output. */
    private Command s6(String... command) throws IOException, InterruptedException {
        command[0] = executable(command[0]);
        Path output = Files.createTempFile(this.directory, "s6", ".out");
        Process process = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            fail("%s did not finish", List.of(command));
        }
        return new Command(process.exitValue(), Files.readString(output));
    }

    /** The s6 program, which must be installed: apt-get install s6 (.ci/run does). */
    private static String executable(String name) {
        Path path = Path.of("/usr/bin", name);
        assertThat(path).as("%s from the Debian package s6 (apt-get install s6; .ci/run installs it)", name)
            .isExecutable();
        return path.toString();
    }

    private record Command(int exitCode, String output) {
    }

}
