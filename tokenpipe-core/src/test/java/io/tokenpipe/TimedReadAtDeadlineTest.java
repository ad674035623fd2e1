package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.SeccompListener;
import io.tokenpipe.testing.SignalMasks;
import io.tokenpipe.testing.Signals;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private static final Pattern DONE = Pattern.compile("^done$", Pattern.MULTILINE);

    @TempDir
    Path temp;

    @Test
    void aTokenWaitingWhenALateWakeUpEndsTheReadIsReturnedNotATimeout() throws Exception {
        String output = roundStoppedBeforeItsDeadline(TimedReaderChild.class);
        assertThat(output).as(output).contains("result=1 ");
    }

    /**
     * The race the look at the deadline opens: another reader takes the token between the look and the read, which
     * then waits past the deadline. The Waker signals a thread still inside after its deadline again, so the call
     * ends with TS_TIMEOUT. The child holds the reader's read(2) calls (seccomp user notification) and takes the
     * token through a second description of the pipe exactly while the read after the look is held.
     */
    @Test
    void aTokenTakenByAnotherReaderAfterTheLookEndsTheReadWithATimeout() throws Exception {
        for (int round = 1; ; round++) {
            String output = roundStoppedBeforeItsDeadline(ThiefChild.class);
            assertThat(output).as(output).contains("result=-3 ");
            if (output.contains("held reads=2 stolen=1")) {
                return; // the read after the look was held while the token was taken, then woken: TS_TIMEOUT
            }
            // A wake-up of the Waker may end the held read before this process takes it up (seccomp's wait is
            // interruptible until then): the read then fails with EINTR unheld, and nothing was taken.
            assertThat(output).as(output).contains("held reads=1 stolen=-1");
            assertThat(round).as("rounds in which the read after the look was never held: " + output)
                    .isLessThan(5);
        }
    }

    /**
     * Runs {@code child} until a round in which it was stopped before its reader's deadline: should the machine be
     * so slow that stopping it takes longer than the timeout, its timeout rightly comes first, that round proves
     * nothing and a longer one runs. Returns the child's output.
     */
    private String roundStoppedBeforeItsDeadline(Class<?> child) throws Exception {
        for (long timeoutMillis = 500; ; timeoutMillis *= 2) {
            assertThat(timeoutMillis).as("a round in which the child was stopped before its deadline")
                    .isLessThanOrEqualTo(16_000);
            String output = lateWakeUpRound(child, timeoutMillis, Files.createTempFile(temp, "child", ".out"));
            if (output != null) {
                return output;
            }
        }
    }

    /** One round; the child's output, or null when the child could not be stopped before its deadline. */
    private static String lateWakeUpRound(Class<?> main, long timeoutMillis, Path output) throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd();
             ChildProcess child = ChildProcess.builder(JavaChild.command(List.of(), main,
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
            await(child, output, DONE);
            assertThat(child.waitFor(PATIENCE)).as(Files.readString(output)).isTrue();
            assertThat(child.exitValue().getAsInt()).as(Files.readString(output)).isZero();
            return stoppedInTime ? Files.readString(output) : null;
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
            System.out.println("done");
        }
    }

    /**
     * As {@link TimedReaderChild}, but the reader's read(2) calls are held until a thread of this child lets them
     * go; one that is held while a token is waiting (the read after the look at the deadline) finds it taken first
     * through a second description of the same pipe ({@code /proc/self/fd/3}).
     */
    public static final class ThiefChild {
        public static void main(String[] args) throws Exception {
            Duration timeout = Duration.ofMillis(Long.parseLong(args[0]));
            AtomicInteger held = new AtomicInteger();
            AtomicInteger stolen = new AtomicInteger(-1);
            try (TokenPipeEnd reader = TokenPipeEnd.adopt(3);
                 FileInputStream thief = new FileInputStream("/proc/self/fd/3")) {
                CompletableFuture<SeccompListener> listener = new CompletableFuture<>();
                Thread thread = new Thread(() -> {
                    listener.complete(SeccompListener.holdReadsOf(3));
                    System.out.println("tid=" + ThreadContext.current().threadId() + " t0=" + System.nanoTime());
                    int result = reader.tokenRead(timeout);
                    System.out.println("result=" + result + " errno=" + reader.lastErrno());
                }, "timed-reader");
                thread.start();
                SeccompListener reads = listener.get(30, TimeUnit.SECONDS);
                Thread letGo = new Thread(() -> {
                    try {
                        while (true) {
                            long id = reads.awaitRead();
                            held.incrementAndGet();
                            if (thief.available() > 0) { // FIONREAD: the bytes in the pipe
                                stolen.set(thief.read());
                            }
                            reads.letGo(id);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, "let-go");
                letGo.setDaemon(true); // it waits for reads for ever
                letGo.start();
                thread.join();
            }
            System.out.println("held reads=" + held + " stolen=" + stolen);
            System.out.println("done");
        }
    }
}
