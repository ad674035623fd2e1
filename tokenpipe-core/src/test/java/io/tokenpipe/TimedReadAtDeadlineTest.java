package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.SignalMasks;
import io.tokenpipe.testing.Signals;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A timed read reports what is there at its deadline, as poll(2) with a zero timeout and Java's own timed waits
 * (LinkedBlockingQueue.poll(timeout) looks once more when its wait runs out) do: a token that is waiting when the
 * wake-up ends the read after the deadline is returned, not TS_TIMEOUT. Seen in practice with a daemon-mode
 * launcher stopped (SIGSTOP) past its timeout, which then reported "not ready" while token 1 was waiting.
 *
 * <p>Made deterministic with a child JVM: its reader thread blocks in tokenRead(timeout) on a pipe whose write end
 * this test holds; the test stops the child (SIGSTOP), sends the wake-up signal to the reader thread alone (tgkill;
 * it stays pending while the thread is stopped), writes the token, lets the deadline pass and continues the child
 * (SIGCONT). The kernel then delivers the pending signal before the read can be restarted, so read(2) returns EINTR
 * after the deadline with the token in the pipe. Deadlines are compared across the two JVMs: System.nanoTime() is
 * CLOCK_MONOTONIC on Linux, one clock for every process.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class TimedReadAtDeadlineTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final Pattern STARTED = Pattern.compile("tid=(\\d+) t0=(-?\\d+)");
    private static final Pattern RESULT = Pattern.compile("result=(-?\\d+) errno=(\\d+)");

    @TempDir
    Path temp;

    @Test
    void aTokenWaitingWhenALateWakeUpEndsTheReadIsReturnedNotATimeout() throws Exception {
        // The child must be stopped before its deadline, or its timeout would rightly come first; should the machine
        // be so slow that stopping it takes longer than the timeout, that round proves nothing and a longer one runs.
        for (long timeoutMillis = 500; ; timeoutMillis *= 2) {
            assertThat(timeoutMillis).as("a round in which the child was stopped before its deadline")
                    .isLessThanOrEqualTo(16_000);
            Integer result = lateWakeUpRound(timeoutMillis, temp.resolve("child-" + timeoutMillis + ".out"));
            if (result != null) {
                assertThat(result).as("what tokenRead(%d ms) returned", timeoutMillis).isEqualTo(1);
                return;
            }
        }
    }

    /** One round; the child's tokenRead result, or null when the child could not be stopped before its deadline. */
    private static Integer lateWakeUpRound(long timeoutMillis, Path output) throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd();
             ChildProcess child = ChildProcess.builder(JavaChild.command(List.of(), TimedReaderChild.class,
                             Long.toString(timeoutMillis)))
                     .passEnd(pipe.takeReadEnd(), 3).redirectOutput(output).redirectError(output).start()) {
            Matcher started = await(child, output, STARTED);
            long tid = Long.parseLong(started.group(1));
            long earliestDeadline = Long.parseLong(started.group(2)) + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            awaitTask(child, tid, "wchan", "pipe"); // asleep in read(2): its deadline is set
            long latestDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);

            Signals.toProcess(child.pid(), Signals.SIGSTOP);
            awaitTask(child, tid, "stat", ") T ");
            boolean stoppedInTime = System.nanoTime() - earliestDeadline < 0;
            if (stoppedInTime) {
                Signals.toThread(child.pid(), tid, SignalMasks.wakeSignal());
                assertThat(pendingSignals(child.pid(), tid).testBit(SignalMasks.wakeSignal() - 1))
                        .as("the wake-up signal pending on the stopped reader").isTrue();
                assertThat(writer.tokenWrite(1)).isZero();
                while (System.nanoTime() - latestDeadline <= 0) { // the deadline passes while the child is stopped
                    Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(latestDeadline - System.nanoTime())));
                }
            }
            Signals.toProcess(child.pid(), Signals.SIGCONT);
            Matcher result = await(child, output, RESULT);
            assertThat(child.waitFor(PATIENCE)).as(Files.readString(output)).isTrue();
            assertThat(child.exitValue().getAsInt()).as(Files.readString(output)).isZero();
            return stoppedInTime ? Integer.valueOf(result.group(1)) : null;
        }
    }

    /** Waits until the child has written a line matching {@code pattern}. */
    private static Matcher await(ChildProcess child, Path output, Pattern pattern) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            String text = Files.exists(output) ? Files.readString(output) : "";
            Matcher matcher = pattern.matcher(text);
            if (matcher.find()) {
                return matcher;
            }
            if (!child.isAlive() || System.nanoTime() - deadline > 0) {
                throw new AssertionError("the child never wrote " + pattern + " (alive: " + child.isAlive()
                        + "):\n" + text);
            }
            Thread.sleep(5);
        }
    }

    /** Waits until /proc/PID/task/TID/{@code file} of the child contains {@code text}. */
    private static void awaitTask(ChildProcess child, long tid, String file, String text) throws Exception {
        Path path = Path.of("/proc", Long.toString(child.pid()), "task", Long.toString(tid), file);
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            try {
                if (Files.readString(path).contains(text)) {
                    return;
                }
            } catch (IOException gone) {
                // not there yet: keep looking until the deadline
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(path + " never showed '" + text + "'");
            }
            Thread.sleep(1);
        }
    }

    /** The signals pending on one thread of {@code pid} (SigPnd in its status), bit n-1 for signal n. */
    private static BigInteger pendingSignals(long pid, long tid) throws IOException {
        Path status = Path.of("/proc", Long.toString(pid), "task", Long.toString(tid), "status");
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigPnd:")) {
                return new BigInteger(line.substring("SigPnd:".length()).trim(), 16);
            }
        }
        throw new AssertionError("no SigPnd in " + status);
    }

    /**
     * The child: adopts the read end at fd 3 and, on a thread of its own, prints that thread's native id and
     * System.nanoTime() (a bound below the deadline), then what tokenRead(timeout of args[0] ms) returns.
     */
    public static final class TimedReaderChild {
        public static void main(String[] args) throws Exception {
            Duration timeout = Duration.ofMillis(Long.parseLong(args[0]));
            try (TokenPipeEnd reader = TokenPipeEnd.adopt(3)) {
                Thread thread = new Thread(() -> {
                    System.out.println("tid=" + ThreadContext.current().threadId() + " t0=" + System.nanoTime());
                    int result = reader.tokenRead(timeout);
                    System.out.println("result=" + result + " errno=" + reader.lastErrno());
                }, "timed-reader");
                thread.start();
                thread.join();
            }
        }
    }
}
