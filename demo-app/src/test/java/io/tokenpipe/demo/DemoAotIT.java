package io.tokenpipe.demo;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import io.tokenpipe.ChildProcess;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo jar as {@code spring-boot:process-aot} built it, run with {@code -Dspring.aot.enabled=true}: the
 * AOT-generated context starts, its worker makes it ready, and the starter's notifier writes the ready token into
 * the pipe this test passed at fd 3; health and the {@code tokenpipes} endpoint answer over HTTP.
 */
@ExtendWith(FdCount.class)
@Timeout(180)
class DemoAotIT {

    @TempDir
    Path directory;

    /** The HTTP client opens its selector's descriptors once, on first use: not a leak of this test. */
    @BeforeAll
    static void openHttpClientOnce() throws Exception {
        assertThat(DemoProcesses.get(1, "/")).as("nothing listens on port 1").isNull();
    }

    @Test
    void aotProcessedJarStartsBecomesReadyAndNotifies() throws Exception {
        Path log = this.directory.resolve("aot.out");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(DemoProcesses.JVM_OPTIONS);
        command.add("-Dspring.aot.enabled=true");
        command.addAll(List.of("-jar", DemoProcesses.jar().toString(), "--server.port=0", "--tokenpipe.notify.fd=3",
                "--demo.worker.delay=1s"));
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd ready = pipe.takeReadEnd()) {
            try (ChildProcess app = ChildProcess.builder(command)
                .directory(this.directory)
                .passEnd(pipe.takeWriteEnd(), 3)
                .redirectInput(Path.of("/dev/null"))
                .redirectOutput(log)
                .redirectError(log)
                .start()) {
                int token = ready.tokenRead(DemoProcesses.START_UP);
                String output = DemoProcesses.read(log);
                assertThat(token).as(output).isEqualTo(1);
                assertThat(output).contains("Starting AOT-processed DemoApplication");
                int port = Integer.parseInt(DemoProcesses.awaitMatch(log, DemoProcesses.PORT, Duration.ofSeconds(10)));
                HttpResponse<String> health = DemoProcesses.get(port, "/actuator/health");
                assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
                assertThat((String) JsonPath.read(health.body(), "$.components.tokenPipe.status")).isEqualTo("UP");
                String pipes = DemoProcesses.get(port, "/actuator/tokenpipes").body();
                assertThat((List<String>) JsonPath.read(pipes, "$.pipes[*].name")).as(pipes)
                    .containsExactly("worker-lifeline");
                assertThat(ready.tokenRead(Duration.ofSeconds(10))).as("one token, then closed")
                    .isEqualTo(TokenPipeEnd.TS_EOS);
            } // SIGTERM, reaped
            assertThat(DemoProcesses.read(log)).doesNotContain(" ERROR ", "left open");
        }
        DemoProcesses.assertNoWorkerRuns(Duration.ofSeconds(30));
    }

}
