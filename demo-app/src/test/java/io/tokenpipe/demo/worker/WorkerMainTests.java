package io.tokenpipe.demo.worker;

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
 * The worker's side of the protocol, with the worker as a real child JVM holding real pipes: token 1 then
 * serving, token 0 and exit 1, no token and exit 3, exit when its lifeline closes, exit 143 on SIGTERM.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class WorkerMainTests {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path directory;

    @Test
    void readyWorkerWritesOneClosesThePipeAndServesUntilSigterm() throws Exception {
        try (Worker worker = Worker.start(this.directory, true, WorkerMain.arguments(Duration.ZERO, false, false))) {
            assertThat(worker.ready.tokenRead(WAIT)).as(worker.output()).isEqualTo(WorkerMain.TOKEN_READY);
            // it closed its end after the token: end of stream, while it keeps running
            assertThat(worker.ready.tokenRead(WAIT)).as(worker.output()).isEqualTo(TokenPipeEnd.TS_EOS);
            assertThat(worker.process.isAlive()).isTrue();
            worker.process.destroy();
            assertThat(worker.process.waitFor(WAIT)).isTrue();
            assertThat(worker.process.exitValue()).hasValue(143);
            assertThat(worker.output()).contains("indexed 20000/20000 documents (100%)",
                    "writing token 1 (ready) to fd 3 and closing it");
        }
    }

    @Test
    void workerExitsWhenItsLifelineCloses() throws Exception {
        try (Worker worker = Worker.start(this.directory, true, WorkerMain.arguments(Duration.ZERO, false, false))) {
            assertThat(worker.ready.tokenRead(WAIT)).as(worker.output()).isEqualTo(WorkerMain.TOKEN_READY);
            worker.lifeline.close(); // what the kernel does when the application dies, even of SIGKILL
            assertThat(worker.process.waitFor(WAIT)).as(worker.output()).isTrue();
            assertThat(worker.process.exitValue()).hasValue(0);
            assertThat(worker.output()).contains("lifeline closed (TS_EOS): the application is gone");
        }
    }

    @Test
    void failingWorkerWritesZeroAndExitsWithOne() throws Exception {
        try (Worker worker = Worker.start(this.directory, true, WorkerMain.arguments(Duration.ZERO, true, false))) {
            assertThat(worker.ready.tokenRead(WAIT)).as(worker.output()).isEqualTo(WorkerMain.TOKEN_FAILED);
            assertThat(worker.process.waitFor(WAIT)).isTrue();
            assertThat(worker.process.exitValue()).hasValue(WorkerMain.EXIT_FAILED);
            assertThat(worker.output()).contains("preparation failed on purpose (demo.worker.fail=true)")
                .doesNotContain("100%");
        }
    }

    @Test
    void crashingWorkerExitsWithThreeWithoutAToken() throws Exception {
        try (Worker worker = Worker.start(this.directory, true, WorkerMain.arguments(Duration.ZERO, false, true))) {
            assertThat(worker.ready.tokenRead(WAIT)).as(worker.output()).isEqualTo(TokenPipeEnd.TS_EOS);
            assertThat(worker.process.waitFor(WAIT)).isTrue();
            assertThat(worker.process.exitValue()).hasValue(WorkerMain.EXIT_CRASH);
            assertThat(worker.output()).contains("crashing on purpose (demo.worker.crash=true)");
        }
    }

    @Test
    void workerWhoseReaderIsGoneSaysWhyItCouldNotWriteItsToken() throws Exception {
        try (Worker worker = Worker.start(this.directory, true, WorkerMain.arguments(Duration.ofMillis(500), false, false))) {
            worker.ready.close(); // before its token: the write fails with EPIPE (SIGPIPE is ignored by the JVM)
            assertThat(worker.process.waitFor(WAIT)).as(worker.output()).isTrue();
            assertThat(worker.process.exitValue()).hasValue(WorkerMain.EXIT_FAILED);
            assertThat(worker.output()).contains("could not write token 1: TS_ERR (EPIPE (Broken pipe): nobody is"
                    + " reading any more)");
        }
    }

    @Test
    void preparationTakesTheDelay() throws Exception {
        long start = System.nanoTime();
        try (Worker worker = Worker.start(this.directory, false, WorkerMain.arguments(Duration.ofMillis(1500), false, false))) {
            assertThat(worker.ready.tokenRead(WAIT)).as(worker.output()).isEqualTo(WorkerMain.TOKEN_READY);
            // a lower bound by construction (it sleeps until its start + delay), not a performance figure
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
            assertThat(worker.output()).contains("delay 1500ms", "indexed 4000/20000 documents (20%)");
        }
    }

    @Test
    void workerWithoutItsDescriptorOrWithBadArgumentsExitsWithTwo() throws Exception {
        Path log = this.directory.resolve("usage.log");
        try (ChildProcess child = ChildProcess.builder(command(List.of())).redirectOutput(log).redirectError(log)
            .start()) {
            assertThat(child.waitFor()).isEqualTo(WorkerMain.EXIT_USAGE);
            assertThat(Files.readString(log)).contains("TOKENPIPE_FD is not set");
        }
        try (ChildProcess child = ChildProcess.builder(command(List.of("--delay=soon"))).redirectOutput(log)
            .redirectError(log)
            .start()) {
            assertThat(child.waitFor()).isEqualTo(WorkerMain.EXIT_USAGE);
            assertThat(Files.readString(log)).contains("--delay=soon is not an ISO-8601 duration");
        }
    }

    private static List<String> command(List<String> args) {
        return JavaChild.command(List.of("-XX:TieredStopAtLevel=1"), WorkerMain.class, args.toArray(String[]::new));
    }

    /** A worker child with its readiness pipe at fd 3 and (optionally) its lifeline at fd 4, output to a file. */
    private static final class Worker implements AutoCloseable {

        final TokenPipeEnd ready;

        final TokenPipeEnd lifeline;

        final ChildProcess process;

        final Path log;

        private Worker(TokenPipeEnd ready, TokenPipeEnd lifeline, ChildProcess process, Path log) {
            this.ready = ready;
            this.lifeline = lifeline;
            this.process = process;
            this.log = log;
        }

        static Worker start(Path directory, boolean withLifeline, List<String> args) throws IOException {
            Path log = directory.resolve("worker.log");
            try (TokenPipe readiness = TokenPipe.make().orElseThrow(); TokenPipe lifeline = TokenPipe.make().orElseThrow()) {
                TokenPipeEnd ready = readiness.takeReadEnd();
                TokenPipeEnd lifelineEnd = lifeline.takeWriteEnd();
                try {
                    ChildProcess.Builder builder = ChildProcess.builder(command(args))
                        .passEnd(readiness.takeWriteEnd(), 3)
                        .environment(WorkerMain.READY_FD_VARIABLE, "3")
                        .redirectOutput(log)
                        .redirectError(log);
                    if (withLifeline) {
                        builder.passEnd(lifeline.takeReadEnd(), 4).environment(WorkerMain.LIFELINE_FD_VARIABLE, "4");
                    }
                    return new Worker(ready, lifelineEnd, builder.start(), log);
                }
                catch (IOException | RuntimeException ex) {
                    ready.close();
                    lifelineEnd.close();
                    throw ex;
                }
            }
        }

        String output() throws IOException {
            return Files.readString(this.log);
        }

        @Override
        public void close() {
            this.process.close(); // SIGTERM, SIGKILL if need be, reaped
            this.ready.close();
            this.lifeline.close();
        }

    }

}
