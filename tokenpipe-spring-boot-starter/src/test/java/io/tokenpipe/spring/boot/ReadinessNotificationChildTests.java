package io.tokenpipe.spring.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.tokenpipe.ChildProcess;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The readiness notification end to end: a real child JVM running a Spring Boot application with the starter
 * ({@link ReadinessChildApplication}) gets the write end of a pipe at fd 3 through {@link ChildProcess}, and
 * this test reads what it says: 1 when it is ready, 0 when its start-up fails (also as the child of a
 * SpringApplicationBuilder hierarchy whose parent started), end of stream and a failure analysis that says why and
 * what to do where the native layer cannot load. Each child's output goes to a file, never to the console.
 */
@ExtendWith(FdCount.class)
@Timeout(180)
class ReadinessNotificationChildTests {

    private static final Duration START_UP = Duration.ofSeconds(90);

    @TempDir
    Path directory;

    @Test
    void readyChildWritesOneThroughTheEnvironmentVariable() throws Exception {
        Outcome outcome = runChild(true);
        assertThat(outcome.token).as(outcome.log).isEqualTo(1);
        assertThat(outcome.exitCode).as(outcome.log).isZero();
        assertThat(outcome.log).contains("child: started");
    }

    @Test
    void childWhoseStartUpFailsWritesZero() throws Exception {
        Outcome outcome = runChild(true, "fail");
        assertThat(outcome.token).as(outcome.log).isEqualTo(0);
        assertThat(outcome.exitCode).as(outcome.log).isEqualTo(1);
        assertThat(outcome.log).contains("the database is not there").doesNotContain("child: started");
    }

    @Test
    void builderHierarchyWhoseChildFailsWritesZeroAlthoughItsParentWasReady() throws Exception {
        Outcome outcome = runChild(true, "hierarchy", "fail");
        assertThat(outcome.token).as(outcome.log).isEqualTo(0);
        assertThat(outcome.exitCode).as(outcome.log).isEqualTo(1);
        assertThat(outcome.log).contains("the database is not there").doesNotContain("child: started");
    }

    @Test
    void readyChildWritesTheConfiguredTokenThroughTheProperty() throws Exception {
        Outcome outcome = runChild(false, "--tokenpipe.notify.fd=3", "--tokenpipe.notify.ready-token=42");
        assertThat(outcome.token).as(outcome.log).isEqualTo(42);
        assertThat(outcome.exitCode).as(outcome.log).isZero();
    }

    @Test
    void childToldNothingLeavesThePipeAloneAndItsExitIsEndOfStream() throws Exception {
        Outcome outcome = runChild(false);
        assertThat(outcome.token).as(outcome.log).isEqualTo(TokenPipeEnd.TS_EOS);
        assertThat(outcome.exitCode).as(outcome.log).isZero();
    }

    @Test
    void aotProcessingLeavesTheDescriptorOpenAndUntouched() throws Exception {
        Path log = this.directory.resolve("aot.log");
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd ready = pipe.takeReadEnd()) {
            ChildProcess.Builder builder = ChildProcess
                .builder(JavaChild.command(List.of(), AotProcessingChild.class, this.directory.resolve("aot").toString()))
                .passEnd(pipe.takeWriteEnd(), 3)
                .environment("TOKENPIPE_NOTIFY_FD", "3")
                .redirectOutput(log)
                .redirectError(log);
            try (ChildProcess child = builder.start()) {
                int exitCode = child.waitFor();
                String output = Files.readString(log);
                assertThat(exitCode).as(output).isZero();
                assertThat(output).contains("processed: true");
                // A pipe's write end is O_WRONLY (01); adopting it would have added O_CLOEXEC (02000000)
                assertThat(output).as("still open, not adopted (adopt sets close-on-exec)").containsPattern("fd 3 flags: 0*1\\n");
                assertThat(ready.tokenRead(Duration.ofSeconds(10))).as("no token, and end of stream once the processor exited")
                    .isEqualTo(TokenPipeEnd.TS_EOS);
            }
        }
    }

    @Test
    void childWithoutTheNativeLayerFailsNamingTheReasonAndTheFix() throws Exception {
        Outcome outcome = runChild(JavaChild.WITHOUT_NATIVE_SUPPORT, true);
        assertThat(outcome.token).as(outcome.log).isEqualTo(TokenPipeEnd.TS_EOS);
        assertThat(outcome.exitCode).as(outcome.log).isEqualTo(1);
        assertThat(outcome.log).contains("APPLICATION FAILED TO START")
            .contains("Readiness notification to fd 3 (tokenpipe.notify.fd, from ")
            .contains(") needs token pipes, but they are not available in this JVM: Could not find JNA native support")
            .contains("Action:")
            .contains("Token pipes need their native layer: java.lang.foreign (FFM) on Java 22 and later, JNA on"
                    + " Java 17-21")
            .contains("-Djna.tmpdir=/path")
            .contains("--enable-native-access=ALL-UNNAMED")
            .contains("Or unset tokenpipe.notify.fd and TOKENPIPE_NOTIFY_FD")
            .doesNotContain("Start this application with the write end");
    }

    /**
     * Starts the child with the write end at fd 3 (and TOKENPIPE_NOTIFY_FD=3 when asked), reads the first thing
     * it says, then checks that nothing follows: the descriptor is closed after one token.
     */
    private Outcome runChild(boolean setVariable, String... args) throws IOException, InterruptedException {
        return runChild(List.of(), setVariable, args);
    }

    private Outcome runChild(List<String> jvmOptions, boolean setVariable, String... args)
            throws IOException, InterruptedException {
        Path log = this.directory.resolve("child.log");
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd ready = pipe.takeReadEnd()) {
            ChildProcess.Builder builder = ChildProcess
                .builder(JavaChild.command(jvmOptions, ReadinessChildApplication.class, args))
                .passEnd(pipe.takeWriteEnd(), 3)
                .redirectOutput(log)
                .redirectError(log);
            if (setVariable) {
                builder.environment("TOKENPIPE_NOTIFY_FD", "3");
            }
            try (ChildProcess child = builder.start()) {
                int token = ready.tokenRead(START_UP);
                int exitCode = child.waitFor();
                int after = ready.tokenRead(Duration.ofSeconds(10));
                String output = Files.readString(log);
                assertThat(after).as("nothing after the first token:%n%s", output).isEqualTo(TokenPipeEnd.TS_EOS);
                return new Outcome(token, exitCode, output);
            }
        }
    }

    private record Outcome(int token, int exitCode, String log) {
    }

}
