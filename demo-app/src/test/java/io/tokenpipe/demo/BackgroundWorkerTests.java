package io.tokenpipe.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.QuietOutput;
import io.tokenpipe.testing.RawFds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link BackgroundWorker} in the demo application run inside this JVM (no web server), with its real worker
 * process and a real notify pipe as daemon mode passes it: what happens when the worker dies at the worst moment;
 * and its lifecycle, which does not restart a stopped worker. The worker writes to a log file
 * ({@code demo.worker.log-file}): inheriting this JVM's standard output, it would write into surefire's channel.
 * The application's own log, failure report included, is captured ({@link QuietOutput}) and asserted on.
 */
@ExtendWith({ FdCount.class, QuietOutput.class })
@Timeout(120)
class BackgroundWorkerTests {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path directory;

    @Test
    void workerThatDiesAfterItsTokenButBeforeTheApplicationIsReadyFailsStartUp(QuietOutput.Captured output) throws IOException {
        Path workerLog = this.directory.resolve("worker.log");
        int[] notify = new int[2];
        assertThat(RawFds.pipe(notify)).isZero();
        try (TokenPipeEnd launcher = TokenPipeEnd.adopt(notify[0])) {
            SpringApplication application = new SpringApplication(DemoApplication.class);
            application.setWebApplicationType(WebApplicationType.NONE);
            application.setRegisterShutdownHook(false);
            application.addListeners(new KillTheWorkerOnceReady());
            Throwable thrown = catchThrowable(() -> {
                try (ConfigurableApplicationContext context = application.run("--demo.worker.delay=0s",
                        "--demo.worker.log-file=" + workerLog, "--tokenpipe.notify.fd=" + notify[1])) {
                    fail("started although its worker is gone: readiness %s, worker %s",
                            context.getBean(ApplicationAvailability.class).getReadinessState(),
                            context.getBean(BackgroundWorker.class).status());
                }
            });
            assertThat(thrown).isInstanceOf(WorkerStartupException.class)
                .hasMessageMatching("worker pid \\d+ exited with code 137 after signalling readiness, before the"
                        + " application was ready");
            // Boot publishes no ApplicationFailedEvent for a failure this late, but calls the starter's exception
            // reporter: the failure token, then end of stream (never token 1)
            assertThat(launcher.tokenRead(WAIT)).as("what daemon mode's launcher reads").isZero();
            assertThat(launcher.tokenRead(WAIT)).as("then").isEqualTo(TokenPipeEnd.TS_EOS);
        }
        assertThat(Files.readString(workerLog)).as("the worker's log").contains("writing token 1 (ready) to fd 3");
        assertThat(output).as("the application's log")
            .contains("APPLICATION FAILED TO START")
            .containsPattern("Start-up fails: worker pid \\d+ exited with code 137 after signalling readiness");
    }

    @Test
    void aStoppedWorkerIsNotRestarted(QuietOutput.Captured output) throws IOException {
        Path workerLog = this.directory.resolve("worker.log");
        DemoProperties properties = new DemoProperties();
        properties.getWorker().setDelay(Duration.ZERO);
        properties.getWorker().setLogFile(workerLog.toString());
        try (TokenPipeFactory pipes = new TokenPipeFactory(8)) {
            BackgroundWorker worker = new BackgroundWorker(pipes, properties, JavaCommand.ofThisJvm(), (event) -> {
            });
            worker.start();
            worker.awaitReady();
            worker.stop(); // as context.stop() does
            WorkerStatus stopped = worker.status();
            assertThat(stopped.state()).isEqualTo(WorkerState.STOPPED);
            assertThatIllegalStateException().isThrownBy(worker::start) // as context.start() would
                .withMessage("the background worker runs once per application context: worker pid " + stopped.pid()
                        + " was stopped and is not restarted (restart the application instead)");
            assertThat(worker.isRunning()).isFalse();
            assertThat(worker.status()).isEqualTo(stopped);
            assertThat(pipes.snapshot().created()).as("no pipes for a second worker").isEqualTo(2);
            assertThat(output).contains("Stopping worker pid " + stopped.pid() + " (SIGTERM)");
        }
        assertThat(Files.readString(workerLog)).as("the worker's log").contains("writing token 1 (ready) to fd 3");
    }

    /**
     * Kills the worker with SIGKILL once it is ready, after the runners and before Boot publishes
     * ACCEPTING_TRAFFIC, and waits until the application has seen it exit (first of the ApplicationReadyEvent
     * listeners).
     */
    private static final class KillTheWorkerOnceReady implements ApplicationListener<ApplicationReadyEvent>, Ordered {

        @Override
        public void onApplicationEvent(ApplicationReadyEvent event) {
            BackgroundWorker worker = event.getApplicationContext().getBean(BackgroundWorker.class);
            WorkerStatus status = worker.status();
            assertThat(status.state()).isEqualTo(WorkerState.READY);
            ProcessHandle.of(status.pid()).orElseThrow().destroyForcibly();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (worker.status().state() != WorkerState.EXITED) {
                assertThat(System.nanoTime()).as("worker still %s", worker.status()).isLessThan(deadline);
                try {
                    Thread.sleep(10);
                }
                catch (InterruptedException ex) {
                    throw new IllegalStateException(ex);
                }
            }
        }

        @Override
        public int getOrder() {
            return Ordered.HIGHEST_PRECEDENCE;
        }

    }

}
