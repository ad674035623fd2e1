package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.NewestJdk;
import io.tokenpipe.testing.RawFds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read whose deadline has passed when it starts ({@code tokenRead(Duration.ZERO)}, a "try read") takes what is
 * there and never blocks: it needs neither the wake-up signal nor the Waker thread. It used to block in read(2)
 * until the Waker signalled it, so every empty try cost a signal and a Waker round, and where no real-time signal
 * can be queued (RLIMIT_SIGPENDING reached: the per-user queue of pending signals is full) it never returned. The
 * child JVMs run with RLIMIT_SIGPENDING 0 ({@code prlimit --sigpending=0}), where every tgkill of a real-time
 * signal fails with EAGAIN.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class ZeroTimeoutReadTest {
    private static final List<String> NO_SIGNAL_QUEUE = List.of("/usr/bin/prlimit", "--sigpending=0", "--");

    @Test
    void aZeroTimeoutTakesWhatIsThereAndOtherwiseTimesOut() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(TokenPipeEnd.TS_TIMEOUT);
            assertThat(reader.tokenRead(Duration.ofNanos(1))).isEqualTo(TokenPipeEnd.TS_TIMEOUT);
            assertThat(writer.tokenWrite(42)).isZero();
            assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(42);
            assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(TokenPipeEnd.TS_TIMEOUT);
            writer.close();
            assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(TokenPipeEnd.TS_EOS);
        }
    }

    /**
     * A named FIFO opened for reading before any writer came: read(2) returns end of stream, while poll(2) shows
     * nothing (Linux reports POLLHUP only once a writer has come and gone). An adopted descriptor may be one, so a
     * zero timeout reads it as any timeout does; looking first gave TS_TIMEOUT here.
     */
    @Test
    void anAdoptedFifoThatNeverHadAWriterGivesEndOfStreamAsWithAnyTimeout(@TempDir Path directory) throws Exception {
        String fifo = directory.resolve("fifo").toString();
        assertThat(RawFds.mkfifo(fifo, 0600)).as("mkfifo").isZero();
        int fd = RawFds.open(fifo, RawFds.O_RDONLY | RawFds.O_NONBLOCK, 0); // does not wait for a writer
        assertThat(fd).as("open").isGreaterThan(2);
        assertThat(RawFds.fcntl(fd, RawFds.F_SETFL, RawFds.O_RDONLY)).as("back to blocking mode").isZero();
        try (TokenPipeEnd reader = TokenPipeEnd.adopt(fd)) {
            assertThat(reader.tokenRead(Duration.ofMillis(1))).isEqualTo(TokenPipeEnd.TS_EOS);
            assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(TokenPipeEnd.TS_EOS);
        }
    }

    @Test
    void anInterruptedCallerStillGetsEintr() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            Thread.currentThread().interrupt();
            try {
                assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(TokenPipeEnd.TS_ERR);
                assertThat(reader.lastErrno()).isEqualTo(4); // EINTR
            } finally {
                assertThat(Thread.interrupted()).as("interrupt left as it was").isTrue();
            }
        }
    }

    @Test
    void withoutAnySignalQueueAndWithoutTheWaker() throws Exception {
        Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/prlimit")), "no /usr/bin/prlimit");
        List<String> command = new ArrayList<>(NO_SIGNAL_QUEUE);
        command.addAll(JavaChild.command(List.of(), TryReads.class));
        assertChildPassed(JavaChild.run(command));
    }

    @Test
    void withoutAnySignalQueueAndWithoutTheWakerOnTheNewestJdk() throws Exception {
        Assumptions.assumeTrue(java.nio.file.Files.isExecutable(Path.of("/usr/bin/prlimit")), "no /usr/bin/prlimit");
        Optional<Path> java = NewestJdk.java(22);
        Assumptions.assumeTrue(java.isPresent(), "no JDK 22 or later under /usr/lib/jvm");
        List<String> jvm = new ArrayList<>(JavaChild.command(List.of("--enable-native-access=ALL-UNNAMED"),
                TryReads.class));
        jvm.set(0, java.get().toString());
        List<String> command = new ArrayList<>(NO_SIGNAL_QUEUE);
        command.addAll(jvm);
        assertChildPassed(JavaChild.run(command));
    }

    private static void assertChildPassed(JavaChild.Result result) {
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).as(result.toString()).contains("pending signals limit 0")
                .contains("empty: 1000 of 1000 timed out\nwaker thread: none").contains("token: 7")
                .contains("end of stream: -2");
    }

    /** The child: try-reads on one thread, watched from main so that a read that blocks for ever is reported. */
    public static final class TryReads {
        public static void main(String[] args) throws Exception {
            String limits = new String(java.nio.file.Files.readAllBytes(Path.of("/proc/self/limits")));
            for (String line : limits.split("\n")) {
                if (line.startsWith("Max pending signals")) {
                    System.out.println("pending signals limit " + line.substring(26).trim().split(" +")[0]);
                }
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reads = new Thread(() -> {
                try {
                    tryReads();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "try-reads");
            reads.setDaemon(true);
            reads.start();
            reads.join(30_000);
            if (reads.isAlive()) {
                System.out.println("a zero-timeout read has not returned in 30 s");
                System.exit(1);
            }
            if (failure.get() != null) {
                failure.get().printStackTrace(System.out);
                System.exit(1);
            }
        }

        private static boolean wakerStarted() {
            return Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(thread -> thread.getName().equals("tokenpipe-waker"));
        }

        private static void tryReads() {
            try (TokenPipe pipe = TokenPipe.make().orElseThrow();
                 TokenPipeEnd reader = pipe.takeReadEnd();
                 TokenPipeEnd writer = pipe.takeWriteEnd()) {
                int timedOut = 0;
                for (int i = 0; i < 1000; i++) {
                    if (reader.tokenRead(Duration.ZERO) == TokenPipeEnd.TS_TIMEOUT) {
                        timedOut++;
                    }
                }
                System.out.println("empty: " + timedOut + " of 1000 timed out");
                System.out.println("waker thread: " + (wakerStarted() ? "started" : "none")); // a write starts it
                writer.tokenWrite(7);
                System.out.println("token: " + reader.tokenRead(Duration.ZERO));
                writer.close();
                System.out.println("end of stream: " + reader.tokenRead(Duration.ZERO));
            }
        }
    }
}
