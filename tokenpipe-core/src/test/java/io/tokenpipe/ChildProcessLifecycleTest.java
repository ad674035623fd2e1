package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.Processes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Exit codes, signals, close, detached children and reaping, with real children. */
@ExtendWith(FdCount.class)
@Timeout(90)
class ChildProcessLifecycleTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void waitForGivesTheExitCode() throws Exception {
        try (ChildProcess child = ChildProcess.builder("sh", "-c", "exit 7").start()) {
            assertThat(child.waitFor()).isEqualTo(7);
            assertThat(child.exitValue()).isEqualTo(OptionalInt.of(7));
            assertThat(child.isAlive()).isFalse();
            assertThat(child.pid()).isPositive();
            assertThat(child).hasToString("ChildProcess[pid=" + child.pid() + ", sh, exit 7]");
        }
    }

    @Test
    void aRunningChildHasNoExitValueAndATimedWaitReturnsFalse() throws Exception {
        try (ChildProcess child = ChildProcess.builder("sleep", "30").start()) {
            assertThat(child.waitFor(Duration.ofMillis(50))).isFalse();
            assertThat(child.waitFor(Duration.ZERO)).isFalse();
            assertThat(child.exitValue()).isEmpty();
            assertThat(child.isAlive()).isTrue();
            assertThat(child.toString()).endsWith(", sleep, running]");
            assertThatNullPointerException().isThrownBy(() -> child.waitFor(null));
            assertThatIllegalArgumentException().isThrownBy(() -> child.waitFor(Duration.ofSeconds(-1)))
                    .withMessageContaining("negative");
            child.destroy();
            assertThat(child.waitFor(PATIENCE)).isTrue();
            assertThat(child.exitValue()).isEqualTo(OptionalInt.of(128 + 15));
        }
    }

    @Test
    void destroySendsSigtermAnd143() throws Exception {
        try (ChildProcess child = ChildProcess.builder("sleep", "30").start()) {
            child.destroy();
            assertThat(child.waitFor()).isEqualTo(143);
            child.destroy(); // after the exit: nothing happens, nothing is thrown
            child.destroyForcibly();
            assertThat(child.waitFor()).isEqualTo(143);
        }
    }

    @Test
    void destroyForciblySendsSigkillAnd137() throws Exception {
        // SIGTERM is ignored here (an ignored signal stays ignored across exec), SIGKILL cannot be.
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd ready = pipe.takeReadEnd();
             ChildProcess child = ChildProcess.builder("sh", "-c", "trap '' TERM; printf '\\001' >&3; exec sleep 30")
                     .passEnd(pipe.takeWriteEnd(), 3).start()) {
            assertThat(ready.tokenRead(PATIENCE)).isEqualTo(1);
            child.destroy();
            assertThat(child.waitFor(Duration.ofMillis(300))).as("SIGTERM is ignored").isFalse();
            child.destroyForcibly();
            assertThat(child.waitFor()).isEqualTo(137);
        }
    }

    @Test
    void waitForIsInterruptible() throws Exception {
        try (ChildProcess child = ChildProcess.builder("sleep", "30").start()) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try {
                    child.waitFor();
                    outcome.complete(null);
                } catch (Throwable e) {
                    outcome.complete(e);
                }
            });
            waiter.start();
            waiter.interrupt();
            assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            assertThat(child.isAlive()).isTrue();
        } // close() stops it
    }

    @Test
    void closeStopsAChildThatIsStillRunningAndReapsIt() throws Exception {
        ChildProcess child = ChildProcess.builder("sleep", "30").start();
        child.close();
        assertThat(child.isAlive()).isFalse();
        assertThat(child.exitValue()).isEqualTo(OptionalInt.of(143));
        assertThat(Processes.stat(child.pid())).as("reaped, not a zombie").isNull();
        child.close(); // idempotent
    }

    @Test
    void closeEscalatesToSigkillWhenSigtermIsIgnored() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd ready = pipe.takeReadEnd()) {
            ChildProcess child = ChildProcess.builder("sh", "-c", "trap '' TERM; printf '\\001' >&3; exec sleep 30")
                    .passEnd(pipe.takeWriteEnd(), 3).start();
            assertThat(ready.tokenRead(PATIENCE)).isEqualTo(1);
            child.close();
            assertThat(child.exitValue()).isEqualTo(OptionalInt.of(137));
        }
    }

    @Test
    void closeKeepsTheInterruptStatusAndStillReaps() throws Exception {
        ChildProcess child = ChildProcess.builder("sleep", "30").start();
        Thread.currentThread().interrupt();
        try {
            child.close();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(child.exitValue()).isEqualTo(OptionalInt.of(143));
    }

    @Test
    void childrenStartWithNoBlockedAndNoIgnoredSignals() throws Exception {
        // The parent JVM runs with SIGHUP and SIGINT ignored (as under nohup or `cmd &`): its child must not be.
        JavaChild.Result result = JavaChild.runUnderShell("trap '' HUP INT;", List.of(), ReportSignalState.class);
        assertThat(result.exitCode).as(result.toString()).isZero();
        String parentIgnored = result.output.replaceAll("(?s).*parent SigIgn: (\\p{XDigit}+).*", "$1");
        assertThat(Long.parseLong(parentIgnored, 16) & 3).as("SIGHUP and SIGINT ignored in the parent").isEqualTo(3);
        // Nothing ignored, not even glibc's internal signals 32 and 33 (which posix_spawn ignores by default).
        assertThat(result.output).contains("child SigIgn: 0000000000000000");
        assertThat(result.output).contains("child SigBlk: 0000000000000000");
    }

    /** Starts `sleep` from a JVM whose shell ignored SIGHUP and SIGINT; prints both processes' signal state. */
    public static final class ReportSignalState {
        public static void main(String[] args) throws Exception {
            System.out.println("parent SigIgn: " + Processes.status(ProcessHandle.current().pid(), "SigIgn"));
            try (ChildProcess child = ChildProcess.builder("sleep", "30").start()) {
                System.out.println("child SigIgn: " + Processes.status(child.pid(), "SigIgn"));
                System.out.println("child SigBlk: " + Processes.status(child.pid(), "SigBlk"));
            }
        }
    }

    @Test
    void aDetachedChildGetsItsOwnSessionSurvivesCloseAndIsReaped() throws Exception {
        long ourSession = Long.parseLong(Processes.stat(ProcessHandle.current().pid())[3]);
        try (ChildProcess attached = ChildProcess.builder("sleep", "30").start()) {
            assertThat(Long.parseLong(Processes.stat(attached.pid())[3])).isEqualTo(ourSession);
        }
        ChildProcess detached = ChildProcess.builder("sleep", "2").detached(true).start();
        assertThat(Processes.stat(detached.pid())[3]).as("session id").isEqualTo(Long.toString(detached.pid()));
        assertThat(Long.parseLong(Processes.stat(detached.pid())[2])).as("process group").isEqualTo(detached.pid());
        assertThat(detached.toString()).contains(", detached, running");
        detached.close();
        assertThat(Processes.isRunning(detached.pid())).as("close() leaves a detached child running").isTrue();
        assertThat(detached.waitFor()).as("it ran to its end, nobody killed it").isZero();
        assertThat(Processes.stat(detached.pid())).as("reaped, not a zombie").isNull();
    }

    @Test
    void aDetachedChildNobodyWaitsForIsReapedWhenItExits() throws Exception {
        ChildProcess detached = ChildProcess.builder("sh", "-c", "exit 4").detached(true).start();
        detached.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (detached.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5); // no waitFor(): the reaper must do it on its own
        }
        assertThat(detached.exitValue()).isEqualTo(OptionalInt.of(4));
        assertThat(Processes.stat(detached.pid())).as("no zombie left behind").isNull();
    }

    @Test
    void twoHundredShortChildrenLeaveNoZombieAndNeedNoThreadEach() throws Exception {
        List<ChildProcess> children = new ArrayList<>();
        AtomicInteger mostReaperThreads = new AtomicInteger();
        // A long-lived child keeps the poller running, so that the thread count below is not a matter of timing.
        ChildProcess anchor = ChildProcess.builder("sleep", "30").start();
        try {
            for (int i = 0; i < 200; i++) {
                children.add(ChildProcess.builder("sh", "-c", "exit " + (i % 5)).start());
                if (i % 20 == 0) {
                    mostReaperThreads.accumulateAndGet(reaperThreads(), Math::max);
                }
            }
            // Half are waited for, half only closed or dropped: all must be reaped anyway.
            for (int i = 0; i < children.size(); i += 2) {
                assertThat(children.get(i).waitFor()).isEqualTo(i % 5);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (children.stream().anyMatch(ChildProcess::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            for (int i = 0; i < children.size(); i++) {
                ChildProcess child = children.get(i);
                assertThat(child.exitValue()).as("child %d", i).isEqualTo(OptionalInt.of(i % 5));
                assertThat(Processes.stat(child.pid())).as("child %d (pid %d) is reaped", i, child.pid()).isNull();
            }
            List<Long> ours = children.stream().map(ChildProcess::pid).toList();
            assertThat(Processes.zombieChildren()).doesNotContainAnyElementsOf(ours);
            assertThat(mostReaperThreads.get()).as("one poller serves every child (pidfd)").isEqualTo(1);
        } finally {
            children.forEach(ChildProcess::close);
            anchor.close();
        }
    }

    @Test
    void manyThreadsCanWaitForTheSameChildren() throws Exception {
        List<ChildProcess> children = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            children.add(ChildProcess.builder("sleep", "0.2").start());
        }
        List<CompletableFuture<Integer>> waits = new ArrayList<>();
        for (ChildProcess child : children) {
            for (int j = 0; j < 3; j++) {
                waits.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return child.waitFor();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
        }
        for (CompletableFuture<Integer> wait : waits) {
            try {
                assertThat(wait.get(30, TimeUnit.SECONDS)).isZero();
            } catch (ExecutionException e) {
                throw new AssertionError(e);
            }
        }
        children.forEach(ChildProcess::close);
    }

    private static int reaperThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("tokenpipe-reaper")).count();
    }
}
