package io.tokenpipe.demo;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

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
 * The starter's daemon mode ({@code --tokenpipe.daemon.wait=true}, {@code TOKENPIPE_DAEMON_WAIT=true}, or the demo's
 * alias {@code --demo.daemon-wait=true}) with the packaged jar through {@code java -jar}, as real processes: the
 * launcher exits 0 once the detached copy is ready and 1 when it fails, dies without a token (where bitcoind exits
 * 0) or is too slow, and nothing is left running after a failure or after the copy is stopped.
 */
@ExtendWith(FdCount.class)
@Timeout(180)
class DaemonModeIT {

    private static final Pattern DAEMON_STARTED = Pattern.compile("the application is ready in the background, pid (\\d+)");

    private static final Pattern DAEMON_PID = Pattern.compile("started the application as pid (\\d+) ");

    private static final String READY = "ready in the background";

    private static final Duration LAUNCHER_EXIT = Duration.ofSeconds(120);

    private static final Duration GONE = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    private DemoProcesses processes;

    private Path log;

    @BeforeAll
    static void openTheHttpClientsSelectorBeforeTheFdBaseline() throws Exception {
        DemoProcesses.warmUpHttp();
    }

    @BeforeEach
    void noWorkerBefore() throws Exception {
        assertThat(DemoProcesses.runningWorkers()).as("workers of the demo jar running before the test").isEmpty();
        this.processes = new DemoProcesses(this.directory);
        this.log = this.directory.resolve("daemon.log");
    }

    @AfterEach
    void noWorkerAfter() throws Exception {
        this.processes.killAll(); // a killed application's worker exits by its lifeline
        DemoProcesses.assertNoWorkerRuns(GONE);
    }

    @Test
    void launcherExitsZeroOnceTheDetachedCopyIsReadyAndTheCopyServesUntilKilled() throws Exception {
        DemoProcesses.Run launcher = this.processes.start("launcher", "--demo.daemon-wait=true",
                "--tokenpipe.daemon.log-file=daemon.log", "--demo.worker.delay=1s");
        trackDaemonWhenStarted(launcher);
        assertThat(launcher.awaitExit(LAUNCHER_EXIT)).as(launcher.text()).isZero();
        long daemon = Long.parseLong(launcher.await(DAEMON_STARTED));
        assertThat(Processes.isRunning(daemon)).as("the daemon runs after the launcher exited").isTrue();
        assertThat(Processes.stat(daemon)[3]).as("the daemon leads its own session").isEqualTo(Long.toString(daemon));
        Path fds = Path.of("/proc", Long.toString(daemon), "fd");
        assertThat(Files.readSymbolicLink(fds.resolve("0"))).isEqualTo(Path.of("/dev/null"));
        assertThat(Files.readSymbolicLink(fds.resolve("1"))).isEqualTo(this.log.toRealPath());
        assertThat(Files.readSymbolicLink(fds.resolve("2"))).isEqualTo(this.log.toRealPath());
        long worker = this.processes.track(Long.parseLong(DemoProcesses.awaitMatch(this.log, DemoProcesses.WORKER_PID,
                DemoProcesses.START_UP)));
        assertThat(Processes.stat(worker)[1]).as("the worker's parent").isEqualTo(Long.toString(daemon));

        int port = Integer.parseInt(DemoProcesses.awaitMatch(this.log, DemoProcesses.PORT, DemoProcesses.START_UP));
        HttpResponse<String> readiness = DemoProcesses.get(port, "/actuator/health/readiness");
        assertThat(readiness.statusCode()).as(readiness.body()).isEqualTo(200);
        assertThat((String) JsonPath.read(readiness.body(), "$.status")).isEqualTo("UP");
        String view = DemoProcesses.get(port, "/worker").body();
        assertThat((Integer) JsonPath.read(view, "$.pid")).as(view).isEqualTo((int) worker);
        assertThat((Integer) JsonPath.read(view, "$.token")).isEqualTo(1);

        ProcessHandle.of(daemon).orElseThrow().destroy(); // kill N (SIGTERM)
        DemoProcesses.assertGone(daemon, GONE, "daemon");
        DemoProcesses.assertGone(worker, GONE, "worker");
        assertThat(DemoProcesses.read(this.log)).contains("Stopping worker pid " + worker + " (SIGTERM)",
                "Worker pid " + worker + " exited with code 143");
    }

    @Test
    void launcherExitsOneWithTheReasonWhenTheCopyFails() throws Exception {
        DemoProcesses.Run launcher = this.processes.start("launcher", "--tokenpipe.daemon.wait=true",
                "--tokenpipe.daemon.log-file=daemon.log", "--demo.worker.crash=true", "--demo.worker.delay=0s");
        trackDaemonWhenStarted(launcher);
        assertThat(launcher.awaitExit(LAUNCHER_EXIT)).as(launcher.text()).isEqualTo(1);
        long daemon = Long.parseLong(launcher.await(DAEMON_PID));
        long worker = this.processes.track(Long.parseLong(DemoProcesses.awaitMatch(this.log, DemoProcesses.WORKER_PID,
                DemoProcesses.START_UP)));
        assertThat(launcher.text()).contains("pid " + daemon + " failed to start (token 0) and exited with"
                + " code 1: worker pid " + worker + " exited with code 3 before signalling readiness")
            .doesNotContain(READY);
        DemoProcesses.assertGone(daemon, GONE, "daemon");
        DemoProcesses.assertGone(worker, GONE, "worker");
    }

    @Test
    void launcherExitsOneWhenTheCopyFailsAlthoughTheTokensAreSwappedInItsEnvironment() throws Exception {
        // the copy inherits the environment: its notifier must still write the tokens the launcher reads
        DemoProcesses.Run launcher = this.processes.start("launcher",
                Map.of("TOKENPIPE_NOTIFY_READY_TOKEN", "0", "TOKENPIPE_NOTIFY_FAILURE_TOKEN", "1",
                        "TOKENPIPE_DAEMON_WAIT", "true"),
                "--tokenpipe.daemon.log-file=daemon.log", "--demo.worker.crash=true",
                "--demo.worker.delay=0s");
        long daemon = trackDaemonWhenStarted(launcher);
        assertThat(launcher.awaitExit(LAUNCHER_EXIT)).as(launcher.text()).isEqualTo(1);
        assertThat(launcher.text()).contains("pid " + daemon + " failed to start (token 0)")
            .doesNotContain(READY);
        DemoProcesses.assertGone(daemon, GONE, "daemon");
    }

    @Test
    void launcherExitsOneWhenTheCopyDiesWithoutAToken() throws Exception {
        // bitcoind -daemonwait exits 0 here: it takes the end of stream for a token
        DemoProcesses.Run launcher = this.processes.start("launcher", "--tokenpipe.daemon.wait=true",
                "--tokenpipe.daemon.log-file=daemon.log", "--demo.worker.delay=60s");
        long daemon = trackDaemonWhenStarted(launcher);
        long worker = this.processes.track(Long.parseLong(DemoProcesses.awaitMatch(this.log, DemoProcesses.WORKER_PID,
                DemoProcesses.START_UP)));
        ProcessHandle.of(daemon).orElseThrow().destroyForcibly(); // SIGKILL: no failure token can be written
        assertThat(launcher.awaitExit(LAUNCHER_EXIT)).as(launcher.text()).isEqualTo(1);
        assertThat(launcher.text())
            .contains("pid " + daemon + " exited with code 137 before it was ready")
            .doesNotContain(READY);
        DemoProcesses.assertGone(worker, GONE, "worker of the killed daemon (its lifeline closed)");
    }

    @Test
    void launcherStopsACopyThatIsNotReadyInTimeAndExitsOne() throws Exception {
        DemoProcesses.Run launcher = this.processes.start("launcher", "--tokenpipe.daemon.wait=true",
                "--tokenpipe.daemon.log-file=daemon.log", "--tokenpipe.daemon.timeout=3s", "--demo.worker.delay=60s");
        long daemon = trackDaemonWhenStarted(launcher);
        assertThat(launcher.awaitExit(LAUNCHER_EXIT)).as(launcher.text()).isEqualTo(1);
        assertThat(launcher.text())
            .contains("pid " + daemon + " was not ready within 3s (tokenpipe.daemon.timeout); stopped it")
            .doesNotContain(READY);
        DemoProcesses.assertGone(daemon, GONE, "daemon");
        // whether or not the copy got as far as starting its worker, none may be left (checked after each test)
    }

    @Test
    void launcherStoppedWhileItWaitsStopsTheCopy() throws Exception {
        // Ctrl-C reaches only the launcher (the copy has its own session): the copy must not run on, unreported
        DemoProcesses.Run launcher = this.processes.start("launcher", "--tokenpipe.daemon.wait=true",
                "--tokenpipe.daemon.log-file=daemon.log", "--demo.worker.delay=60s");
        long daemon = trackDaemonWhenStarted(launcher);
        long worker = this.processes.track(Long.parseLong(DemoProcesses.awaitMatch(this.log, DemoProcesses.WORKER_PID,
                DemoProcesses.START_UP)));
        launcher.process().destroy(); // SIGTERM
        assertThat(launcher.awaitExit(LAUNCHER_EXIT)).as(launcher.text()).isEqualTo(143);
        DemoProcesses.assertGone(daemon, GONE, "daemon");
        DemoProcesses.assertGone(worker, GONE, "worker");
        assertThat(launcher.text()).contains("Daemon mode: stopped before pid " + daemon
                + " was ready; stopped it (exit code 143)").doesNotContain(READY);
    }

    @Test
    void pidFileHoldsTheReadyCopysPidUntilItExits() throws Exception {
        Path pidFile = this.directory.resolve("demo.pid");
        DemoProcesses.Run launcher = this.processes.start("launcher", "--tokenpipe.daemon.wait=true",
                "--tokenpipe.daemon.log-file=daemon.log", "--tokenpipe.daemon.pid-file=demo.pid",
                "--demo.worker.delay=0s");
        long daemon = trackDaemonWhenStarted(launcher);
        assertThat(launcher.awaitExit(LAUNCHER_EXIT)).as(launcher.text()).isZero();
        assertThat(launcher.text()).contains("pid " + daemon + " (written to " + pidFile + ")");
        assertThat(Files.readString(pidFile)).isEqualTo(daemon + "\n"); // there when the launcher exits 0
        long worker = this.processes.track(Long.parseLong(DemoProcesses.awaitMatch(this.log, DemoProcesses.WORKER_PID,
                DemoProcesses.START_UP)));

        ProcessHandle.of(daemon).orElseThrow().destroy();
        DemoProcesses.assertGone(daemon, GONE, "daemon");
        DemoProcesses.assertGone(worker, GONE, "worker");
        assertThat(pidFile).as("removed by the copy as it exits").doesNotExist();
    }

    /** Waits for the launcher to say which pid the copy has, and tracks it for the clean-up. */
    private long trackDaemonWhenStarted(DemoProcesses.Run launcher) throws InterruptedException {
        return this.processes.track(Long.parseLong(launcher.await(DAEMON_PID)));
    }

}
