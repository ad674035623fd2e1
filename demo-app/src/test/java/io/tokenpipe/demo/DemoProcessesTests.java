package io.tokenpipe.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.Processes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link DemoProcesses#runningWorkers} counts. A JVM that forks to run another program (JNA's
 * {@code /sbin/ldconfig -p} through the JDK's jspawnhelper) shows the JVM's command line until its exec: such a
 * child runs one thread (a fork copies only the calling thread), a JVM a dozen. The stand-ins here are a shell
 * (one thread) and python3 with a second thread, each with the worker's main class and the jar on its command line.
 */
@ExtendWith(FdCount.class)
class DemoProcessesTests {

    private static final String JAR = Path.of("target", "no-such-demo-app.jar").toAbsolutePath().toString();

    /** DemoProcesses keeps an HTTP client, whose selector opens two descriptors for the JVM's life. */
    @BeforeAll
    static void openWhatStaysOpen() throws Exception {
        DemoProcesses.warmUpHttp();
    }

    @Test
    void aOneThreadedProcessWithTheWorkersCommandLineIsNotAWorker() throws Exception {
        Process forkedNotExeced = start("sh", "-c", "read line", DemoProcesses.WORKER_MAIN, JAR);
        Process twoThreads = start("python3", "-c",
                "import sys, threading; t = threading.Thread(target=sys.stdin.read); t.start(); t.join()",
                DemoProcesses.WORKER_MAIN, JAR);
        try {
            awaitThreads(twoThreads.pid(), "2");
            assertThat(Processes.status(forkedNotExeced.pid(), "Threads")).isEqualTo("1");
            List<Long> workers = DemoProcesses.runningWorkers(JAR);
            assertThat(workers).as("a process with more than one thread counts").contains(twoThreads.pid());
            assertThat(workers).as("a one-threaded process (a fork before its exec) does not")
                .doesNotContain(forkedNotExeced.pid());
        }
        finally {
            end(forkedNotExeced);
            end(twoThreads);
        }
    }

    private static Process start(String... command) throws IOException {
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    }

    /** Waits (hang guard 30 s) until the process runs {@code threads} threads. */
    private static void awaitThreads(long pid, String threads) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!threads.equals(Processes.status(pid, "Threads"))) {
            assertThat(System.nanoTime() - deadline).as("pid %d runs %s threads within 30 s", pid, threads)
                .isNegative();
            Thread.sleep(10);
        }
    }

    /** Closes its standard input, which ends it, and its pipes; waits for it. */
    private static void end(Process process) throws Exception {
        process.getOutputStream().close();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        process.getInputStream().close();
        process.getErrorStream().close();
    }

}
