package io.tokenpipe.demo;

import io.tokenpipe.testing.JavaChild;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import io.tokenpipe.testing.FdCount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar under the newest JDK 22+ of this machine (the build needs one): Boot's nested-jar loader
 * picks tokenpipe-core's META-INF/versions/22 classes, so the application and its worker use FFM, and neither
 * JVM prints the JDK's native-access warning (the jar's manifest says Enable-Native-Access, the worker gets the
 * option).
 */
@ExtendWith(FdCount.class)
@Timeout(180)
class DemoOnJava22IT {

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
        this.processes.killAll();
        DemoProcesses.assertNoWorkerRuns(Duration.ofSeconds(30));
    }

    @Test
    void theJarUsesFfmAndNeitherTheApplicationNorItsWorkerWarnsAboutNativeAccess() throws Exception {
        Optional<Java> java = newestJava();
        Assumptions.assumeTrue(java.isPresent() && java.get().feature() >= 22, "no JDK 22 or later under /usr/lib/jvm");
        DemoProcesses.Run app = this.processes.start(java.get().launcher(), "app", Map.of(), "--demo.worker.delay=0s",
                "--logging.level.io.tokenpipe.demo=debug");
        long worker = this.processes.track(app.workerPid());
        int port = app.port();
        long deadline = System.nanoTime() + DemoProcesses.START_UP.toNanos();
        HttpResponse<String> health;
        while ((health = DemoProcesses.get(port, "/actuator/health")).statusCode() != 200) {
            assertThat(System.nanoTime()).as("health still %s:%n%s", health.body(), app.text()).isLessThan(deadline);
            Thread.sleep(100);
        }
        String platform = JsonPath.read(health.body(), "$.components.tokenPipe.details.platform");
        assertThat(platform).as(health.body()).contains("FFM (Java " + java.get().feature() + ")");
        assertThat(app.text()).contains("Worker pid " + worker + " is ready (token 1)")
            .contains("[demo-worker]") // the worker's own lines: its output (and a warning) would land here
            .contains("--enable-native-access=ALL-UNNAMED") // the worker's command, logged at debug
            .doesNotContain("WARNING");

        app.process().destroy();
        assertThat(app.awaitExit(Duration.ofSeconds(60))).isEqualTo(143);
        assertThat(app.text()).as("output of the application and its worker").doesNotContain("WARNING");
    }

    record Java(Path launcher, int feature) {
    }

    /** The JDK under /usr/lib/jvm with the highest feature version, as its release file says. */
    static Optional<Java> newestJava() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        try (Stream<Path> homes = Files.list(jvms)) {
            return homes.filter((home) -> Files.isExecutable(home.resolve("bin/java")))
                .map((home) -> new Java(home.resolve("bin/java"), JavaChild.featureVersion(home)))
                .max(Comparator.comparingInt(Java::feature));
        }
    }

}
