package io.tokenpipe.demo;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import com.jayway.jsonpath.JsonPath;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.Processes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar run with {@code java -jar} as a real process, in the foreground, with its real worker
 * process: readiness waits for the worker's token, the worker's failures fail start-up with a message that
 * says which, and no worker is ever left running (SIGTERM, SIGKILL of the application, death of the worker).
 */
@ExtendWith(FdCount.class)
@Timeout(180)
class DemoAppIT {

    private static final Duration EXIT = Duration.ofSeconds(60);

    private static final Duration GONE = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    private DemoProcesses processes;

    @BeforeAll
    static void openTheHttpClientsSelectorBeforeTheFdBaseline() throws Exception {
        DemoProcesses.warmUpHttp();
    }

    @BeforeEach
    void noWorkerBefore() throws Exception {
        assertThat(DemoProcesses.runningWorkers()).as("workers of the demo jar running before the test").isEmpty();
        this.processes = new DemoProcesses(this.directory);
    }

    @AfterEach
    void noWorkerAfter() throws Exception {
        this.processes.killAll(); // a killed application's worker exits by its lifeline
        DemoProcesses.assertNoWorkerRuns(GONE);
    }

    @Test
    void readinessIsOutOfServiceUntilTheWorkersTokenThenUpAndSigtermStopsTheWorker() throws Exception {
        DemoProcesses.Run app = this.processes.start("app", "--demo.worker.delay=3s");
        long worker = this.processes.track(app.workerPid());
        int port = app.port();

        List<String> seen = new ArrayList<>();
        boolean sawPreparing = false;
        long deadline = System.nanoTime() + DemoProcesses.START_UP.toNanos();
        while (true) {
            HttpResponse<String> readiness = DemoProcesses.get(port, "/actuator/health/readiness");
            assertThat(readiness).as("the port is open once Tomcat says it started").isNotNull();
            String status = JsonPath.read(readiness.body(), "$.status");
            seen.add(readiness.statusCode() + " " + status);
            if (status.equals("UP")) {
                break;
            }
            assertThat(readiness.statusCode()).isEqualTo(503);
            assertThat(status).isEqualTo("OUT_OF_SERVICE");
            String view = DemoProcesses.get(port, "/worker").body();
            if (JsonPath.read(view, "$.state").equals("PREPARING")) {
                sawPreparing = true;
                assertThat((Integer) JsonPath.read(view, "$.token")).as(view).isNull();
                assertThat((Integer) JsonPath.read(view, "$.pid")).isEqualTo((int) worker);
            }
            assertThat(System.nanoTime()).as("readiness still %s:%n%s", seen, app.text()).isLessThan(deadline);
            Thread.sleep(100);
        }
        assertThat(seen).as(app.text()).first().isEqualTo("503 OUT_OF_SERVICE");
        assertThat(seen).last().isEqualTo("200 UP");
        assertThat(sawPreparing).as("saw GET /worker say PREPARING while readiness was OUT_OF_SERVICE").isTrue();
        String output = app.text();
        assertThat(output.indexOf("Worker pid " + worker + " is ready (token 1)")).as(output)
            .isPositive()
            .isLessThan(output.indexOf("Readiness state is now ACCEPTING_TRAFFIC"));

        String view = DemoProcesses.get(port, "/worker").body();
        assertThat((Integer) JsonPath.read(view, "$.pid")).as(view).isEqualTo((int) worker);
        assertThat((String) JsonPath.read(view, "$.state")).isEqualTo("READY");
        assertThat((Integer) JsonPath.read(view, "$.token")).isEqualTo(1);
        assertThat((String) JsonPath.read(view, "$.readyAt")).isNotNull();
        // a lower bound by construction: the worker sleeps until 3 s after its own start before it writes
        assertThat(((Number) JsonPath.read(view, "$.preparationMillis")).longValue()).isGreaterThanOrEqualTo(3000);

        HttpResponse<String> health = DemoProcesses.get(port, "/actuator/health");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat((String) JsonPath.read(health.body(), "$.components.tokenPipe.status")).isEqualTo("UP");
        // only the lifeline is open: the readiness pipe was closed once the token arrived
        assertThat((Integer) JsonPath.read(health.body(), "$.components.tokenPipe.details.openPipes")).isEqualTo(1);
        assertThat((Integer) JsonPath.read(health.body(), "$.components.tokenPipe.details.created")).isEqualTo(2);
        assertThat((Integer) JsonPath.read(health.body(), "$.components.worker.details.pid")).isEqualTo((int) worker);
        String pipes = DemoProcesses.get(port, "/actuator/tokenpipes").body();
        assertThat((List<String>) JsonPath.read(pipes, "$.pipes[*].name")).as(pipes).containsExactly("worker-lifeline");
        assertThat(Processes.stat(worker)[1]).as("the worker's parent").isEqualTo(Long.toString(app.process().pid()));
        assertThat(Processes.stat(worker)[3]).as("the worker's own session, out of the terminal's reach")
            .isEqualTo(Long.toString(worker));

        app.process().destroy(); // SIGTERM
        assertThat(app.awaitExit(EXIT)).isEqualTo(143);
        DemoProcesses.assertGone(worker, GONE, "worker");
        assertThat(app.text()).contains("Stopping worker pid " + worker + " (SIGTERM)",
                "Worker pid " + worker + " exited with code 143",
                "Closed the worker's pipes (worker-readiness, worker-lifeline); open token pipes now: 0")
            .doesNotContain("left open", " ERROR ");
    }

    @Test
    void workerThatCrashesFailsStartUpWithItsExitCode() throws Exception {
        DemoProcesses.Run app = this.processes.start("app", "--demo.worker.crash=true", "--demo.worker.delay=0s");
        long worker = this.processes.track(app.workerPid());
        assertThat(app.awaitExit(EXIT)).as(app.text()).isEqualTo(WorkerStartupException.EXIT_CODE);
        assertThat(app.text()).contains("APPLICATION FAILED TO START",
                "worker pid " + worker + " exited with code 3 before signalling readiness",
                "It crashed on purpose: demo.worker.crash=true");
        DemoProcesses.assertGone(worker, GONE, "worker");
    }

    @Test
    void workerThatReportsFailureFailsStartUpWithTokenZero() throws Exception {
        DemoProcesses.Run app = this.processes.start("app", "--demo.worker.fail=true", "--demo.worker.delay=0s");
        long worker = this.processes.track(app.workerPid());
        assertThat(app.awaitExit(EXIT)).as(app.text()).isEqualTo(WorkerStartupException.EXIT_CODE);
        assertThat(app.text()).contains("APPLICATION FAILED TO START",
                "worker pid " + worker + " reported failure (token 0)");
        DemoProcesses.assertGone(worker, GONE, "worker");
    }

    @Test
    void workerSlowerThanTheTimeoutFailsStartUpAndIsStopped() throws Exception {
        DemoProcesses.Run app = this.processes.start("app", "--demo.worker.timeout=1s", "--demo.worker.delay=60s");
        long worker = this.processes.track(app.workerPid());
        assertThat(app.awaitExit(EXIT)).as(app.text()).isEqualTo(WorkerStartupException.EXIT_CODE);
        assertThat(app.text()).contains("worker pid " + worker + " did not signal readiness within 1s",
                "Stopping worker pid " + worker + " (SIGTERM)", "Worker pid " + worker + " exited with code 143");
        DemoProcesses.assertGone(worker, GONE, "worker");
    }

    @Test
    void workerThatDiesAfterReadinessTakesTheApplicationOutOfService() throws Exception {
        DemoProcesses.Run app = this.processes.start("app", "--demo.worker.delay=0s");
        long worker = this.processes.track(app.workerPid());
        int port = app.port();
        awaitReadiness(app, port, "UP");

        ProcessHandle.of(worker).orElseThrow().destroyForcibly(); // SIGKILL
        awaitReadiness(app, port, "OUT_OF_SERVICE");
        String view = DemoProcesses.get(port, "/worker").body();
        assertThat((String) JsonPath.read(view, "$.state")).as(view).isEqualTo("EXITED");
        assertThat((Integer) JsonPath.read(view, "$.exitCode")).isEqualTo(137);
        HttpResponse<String> health = DemoProcesses.get(port, "/actuator/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat((String) JsonPath.read(health.body(), "$.components.worker.status")).isEqualTo("DOWN");
        assertThat(app.text()).contains("Worker pid " + worker + " exited unexpectedly with code 137");
    }

    @Test
    void applicationKilledWithSigkillTakesItsWorkerAlongThroughTheLifeline() throws Exception {
        DemoProcesses.Run app = this.processes.start("app", "--demo.worker.delay=0s");
        long worker = this.processes.track(app.workerPid());
        awaitReadiness(app, app.port(), "UP");

        app.process().destroyForcibly(); // SIGKILL: no shutdown hook runs, only the kernel closes its descriptors
        assertThat(app.awaitExit(EXIT)).isEqualTo(137);
        DemoProcesses.assertGone(worker, GONE, "worker of a SIGKILLed application");
        // the worker inherited the application's output file and wrote its last words there
        assertThat(app.text()).contains("lifeline closed (TS_EOS): the application is gone, so the worker exits");
    }

    @Test
    void packagedJarDocumentsTheDemoPropertiesForIdes() throws Exception {
        try (JarFile jar = new JarFile(DemoProcesses.jar().toFile())) {
            assertThat(jar.getManifest().getMainAttributes().getValue("Start-Class"))
                .isEqualTo(DemoApplication.class.getName());
            JarEntry entry = jar.getJarEntry("META-INF/spring-configuration-metadata.json");
            assertThat(entry).isNotNull();
            String metadata = new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
            // daemon mode is the starter's (tokenpipe.daemon.*); demo.daemon-wait stays as an alias of its switch
            assertThat((List<String>) JsonPath.read(metadata, "$.properties[*].name")).containsExactlyInAnyOrder(
                    "demo.daemon-wait", "demo.worker.crash", "demo.worker.delay", "demo.worker.fail",
                    "demo.worker.log-file", "demo.worker.timeout");
            assertThat((List<Object>) JsonPath.read(metadata, "$.properties[?(@.name == 'demo.worker.delay')].defaultValue"))
                .containsExactly("2s");
            assertThat((List<Object>) JsonPath.read(metadata, "$.properties[*].description")).hasSize(6)
                .allSatisfy((description) -> assertThat((String) description).isNotBlank());
        }
    }

    private static void awaitReadiness(DemoProcesses.Run app, int port, String expected) throws Exception {
        long deadline = System.nanoTime() + DemoProcesses.START_UP.toNanos();
        String status = null;
        while (!expected.equals(status)) {
            assertThat(System.nanoTime()).as("readiness %s, not %s:%n%s", status, expected, app.text())
                .isLessThan(deadline);
            Thread.sleep(100);
            HttpResponse<String> readiness = DemoProcesses.get(port, "/actuator/health/readiness");
            status = (readiness != null) ? JsonPath.read(readiness.body(), "$.status") : null;
        }
    }

}
