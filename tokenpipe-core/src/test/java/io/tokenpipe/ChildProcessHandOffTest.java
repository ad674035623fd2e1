package io.tokenpipe;

import static io.tokenpipe.TokenPipeEnd.TS_EOS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.RawFds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Which descriptors a child gets, at which numbers and in which mode, with programs nobody here wrote. */
@ExtendWith(FdCount.class)
@Timeout(60)
class ChildProcessHandOffTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /** Lists the child's descriptors: "fd kind" per line ("closed" for the one os.listdir used), then fd 3's mode. */
    private static final String LIST_FDS = String.join("\n",
            "import os, stat",
            "for fd in sorted(int(n) for n in os.listdir('/proc/self/fd')):",
            "    try:",
            "        kind = 'fifo' if stat.S_ISFIFO(os.fstat(fd).st_mode) else 'other'",
            "    except OSError:",
            "        kind = 'closed'",
            "    print(fd, kind)",
            "for fd in (3, 5):",
            "    if os.path.exists('/proc/self/fd/%d' % fd):",
            "        print('mode', fd, 'blocking' if os.get_blocking(fd) else 'NONBLOCKING',",
            "              'inheritable' if os.get_inheritable(fd) else 'CLOEXEC')",
            "        os.write(fd, bytes([fd]))");

    @TempDir
    Path temp;

    @Test
    void childSeesOnlyItsStandardStreamsAndThePassedEnd() throws Exception {
        assertChildListing(new int[] {3});
    }

    @Test
    void endsPassedWithAGapLeaveTheGapClosed() throws Exception {
        // The JVM itself has fd 4 open (a jar, a pipe...): the child must not get it.
        assertThat(RawFds.isOpen(4)).isTrue();
        assertChildListing(new int[] {3, 5});
    }

    /** Passes a pipe at each number while this JVM holds descriptors that are not close-on-exec. */
    private void assertChildListing(int[] childFds) throws Exception {
        int[] leaky = new int[2];
        assertThat(RawFds.pipe(leaky)).isZero(); // not close-on-exec: exec alone would pass it on
        int leakyCopy = RawFds.dup(1);
        assertThat(RawFds.inheritableFds()).contains(leaky[0], leaky[1], leakyCopy);
        List<TokenPipe> pipes = new ArrayList<>();
        try {
            Path out = temp.resolve("fds.txt");
            ChildProcess.Builder builder = ChildProcess.builder("python3", "-c", LIST_FDS).redirectOutput(out);
            for (int childFd : childFds) {
                TokenPipe pipe = TokenPipe.make().orElseThrow();
                pipes.add(pipe);
                builder.passEnd(pipe.takeWriteEnd(), childFd);
            }
            try (ChildProcess child = builder.start()) {
                for (int i = 0; i < childFds.length; i++) {
                    TokenPipeEnd reader = pipes.get(i).takeReadEnd();
                    assertThat(reader.tokenRead(PATIENCE)).isEqualTo(childFds[i]);
                    assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
                    reader.close();
                }
                assertThat(child.waitFor()).as(Files.readString(out)).isZero();
            }
            Map<Integer, String> kinds = new TreeMap<>();
            List<String> modes = new ArrayList<>();
            for (String line : Files.readAllLines(out)) {
                String[] words = line.split(" ");
                if (words[0].equals("mode")) {
                    modes.add(line);
                } else {
                    kinds.put(Integer.parseInt(words[0]), words[1]);
                }
            }
            TreeSet<Integer> open = new TreeSet<>();
            kinds.forEach((fd, kind) -> {
                if (!kind.equals("closed")) {
                    open.add(fd);
                }
            });
            TreeSet<Integer> expected = new TreeSet<>(List.of(0, 1, 2));
            for (int childFd : childFds) {
                expected.add(childFd);
                assertThat(kinds.get(childFd)).isEqualTo("fifo");
                assertThat(modes).contains("mode " + childFd + " blocking inheritable");
            }
            assertThat(open).as("open descriptors of the child: %s", kinds).isEqualTo(expected);
            assertThat(kinds.values()).as("only the listing's own descriptor may be gone").containsOnlyOnce("closed");
        } finally {
            pipes.forEach(TokenPipe::close);
            RawFds.close(leaky[0]);
            RawFds.close(leaky[1]);
            RawFds.close(leakyCopy);
        }
    }

    @Test
    void aRunningChildHoldsExactlyZeroToTwoAndThePassedPipe() throws Exception {
        int leakyCopy = RawFds.dup(2);
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            String pipeInode = RawFds.target("self", writer.handle().fd());
            try (ChildProcess child = ChildProcess.builder("python3", "-c",
                    "import os, time; os.write(3, b'\\x01'); time.sleep(30)").passEnd(writer, 3).start()) {
                assertThat(reader.tokenRead(PATIENCE)).isEqualTo(1); // python is up; it opens nothing more
                String pid = Long.toString(child.pid());
                assertThat(RawFds.openFds(pid)).containsExactly(0, 1, 2, 3);
                assertThat(RawFds.target(pid, 3)).isEqualTo(pipeInode);
                assertThat(RawFds.fdinfoFlags(pid, 3) & (RawFds.O_NONBLOCK | RawFds.O_CLOEXEC)).isZero();
                child.destroy();
                assertThat(child.waitFor()).isEqualTo(128 + 15);
            }
            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
        } finally {
            RawFds.close(leakyCopy);
        }
    }

    @Test
    void severalEndsAtOnceReachTheirNumbers() throws Exception {
        try (TokenPipe first = TokenPipe.make().orElseThrow();
             TokenPipe second = TokenPipe.make().orElseThrow();
             TokenPipeEnd firstReader = first.takeReadEnd();
             TokenPipeEnd secondReader = second.takeReadEnd();
             ChildProcess child = ChildProcess.builder("sh", "-c", "printf '\\001' >&3; printf '\\002' >&4")
                     .passEnd(first.takeWriteEnd(), 3)
                     .passEnd(second.takeWriteEnd(), 4)
                     .start()) {
            assertThat(firstReader.tokenRead(PATIENCE)).isEqualTo(1);
            assertThat(secondReader.tokenRead(PATIENCE)).isEqualTo(2);
            assertThat(firstReader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
            assertThat(secondReader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
            assertThat(child.waitFor()).isZero();
        }
    }

    @Test
    void endsCanTradeNumbers() throws Exception {
        // Each end goes to the number the other one has here: a naive dup2 order would clobber one of them.
        try (TokenPipe first = TokenPipe.make().orElseThrow();
             TokenPipe second = TokenPipe.make().orElseThrow();
             TokenPipeEnd firstReader = first.takeReadEnd();
             TokenPipeEnd secondReader = second.takeReadEnd()) {
            TokenPipeEnd firstWriter = first.takeWriteEnd();
            TokenPipeEnd secondWriter = second.takeWriteEnd();
            int a = firstWriter.handle().fd();
            int b = secondWriter.handle().fd();
            String script = "import os; os.write(" + b + ", b'\\x01'); os.write(" + a + ", b'\\x02')";
            try (ChildProcess child = ChildProcess.builder("python3", "-c", script)
                    .passEnd(firstWriter, b)
                    .passEnd(secondWriter, a)
                    .start()) {
                assertThat(firstReader.tokenRead(PATIENCE)).isEqualTo(1);
                assertThat(secondReader.tokenRead(PATIENCE)).isEqualTo(2);
                assertThat(firstReader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
                assertThat(secondReader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
                assertThat(child.waitFor()).isZero();
            }
        }
    }

    @Test
    void anEndAlreadyAtItsChildNumberIsStillInherited() throws Exception {
        // dup2(fd, fd) would keep close-on-exec and lose the end at exec; the hand-off never does that.
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            int fd = writer.handle().fd();
            try (ChildProcess child = ChildProcess.builder("python3", "-c",
                    "import os; os.write(" + fd + ", bytes([5 if os.get_inheritable(" + fd + ") else 6]))")
                    .passEnd(writer, fd).start()) {
                assertThat(reader.tokenRead(PATIENCE)).isEqualTo(5);
                assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
                assertThat(child.waitFor()).isZero();
            }
        }
    }

    @Test
    void shellPrintfTokenIsReadThenEndOfStream() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             ChildProcess child = ChildProcess.builder("sh", "-c", "printf \"\\052\" >&3")
                     .passEnd(pipe.takeWriteEnd(), 3).start()) {
            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(42);
            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
            assertThat(child.waitFor()).isZero();
        }
    }

    @Test
    void pythonWritesSeven() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             ChildProcess child = ChildProcess.builder("python3", "-c", "import os; os.write(3, bytes([7]))")
                     .passEnd(pipe.takeWriteEnd(), 3).start()) {
            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(7);
            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
            assertThat(child.waitFor()).isZero();
        }
    }

    @Test
    void aReadEndPassedToPythonIsBlockingAndGetsTheParentsToken() throws Exception {
        // The child blocks in read(3) until the parent writes; a non-blocking fd would fail at once (exit 99).
        String script = "import os, sys; sys.exit(os.read(3, 1)[0] if os.get_blocking(3) else 99)";
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd writer = pipe.takeWriteEnd();
             ChildProcess child = ChildProcess.builder("python3", "-c", script)
                     .passEnd(pipe.takeReadEnd(), 3).start()) {
            assertThat(child.waitFor(Duration.ofMillis(200))).isFalse();
            assertThat(writer.tokenWrite(5)).isZero();
            assertThat(child.waitFor()).isEqualTo(5);
            assertThat(writer.tokenWrite(6)).as("the only reader is gone").isEqualTo(TokenPipeEnd.TS_ERR);
            assertThat(writer.lastErrno()).isEqualTo(32);
        }
    }

    @Test
    void aChildThatDiesBeforeWritingGivesEndOfStreamAndItsExitCode() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             ChildProcess child = ChildProcess.builder("sh", "-c", "exit 3").passEnd(pipe.takeWriteEnd(), 3).start()) {
            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS); // never a token, never a hang
            assertThat(child.waitFor()).isEqualTo(3);
        }
    }

    @Test
    void aChildKilledBeforeWritingGivesEndOfStreamAnd137() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             ChildProcess child = ChildProcess.builder("sh", "-c", "kill -KILL $$")
                     .passEnd(pipe.takeWriteEnd(), 3).start()) {
            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
            assertThat(child.waitFor()).isEqualTo(128 + 9);
        }
    }

    @Test
    void startClosesTheParentsCopyOfEveryPassedEnd() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            int fd = writer.handle().fd();
            String pipeInode = RawFds.target("self", fd);
            try (ChildProcess child = ChildProcess.builder("sleep", "30").passEnd(writer, 3).start()) {
                assertThat(writer.isOpen()).isFalse();
                assertThat(writer.tokenWrite(1)).isEqualTo(TokenPipeEnd.TS_ERR);
                assertThat(RawFds.target("self", fd)).isNotEqualTo(pipeInode);
                assertThat(RawFds.target(Long.toString(child.pid()), 3)).isEqualTo(pipeInode);
                assertThat(reader.tokenRead(Duration.ofMillis(100))).isEqualTo(TokenPipeEnd.TS_TIMEOUT);
            } // close() stops the child, the last writer
            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
        }
    }

    @Test
    void descriptorsOfTheLibraryReachNoChildUnlessPassed() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            String pipeInode = RawFds.target("self", reader.handle().fd());
            Process jdkChild = new ProcessBuilder("sleep", "30").start();
            try (ChildProcess ours = ChildProcess.builder("sleep", "30").start()) {
                for (long pid : new long[] {jdkChild.pid(), ours.pid()}) {
                    for (int fd : RawFds.openFds(Long.toString(pid))) {
                        assertThat(RawFds.target(Long.toString(pid), fd)).as("fd %d of child %d", fd, pid)
                                .isNotEqualTo(pipeInode);
                    }
                }
                // If either child held a copy of the write end, this read would wait for it instead.
                writer.close();
                assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
            } finally {
                jdkChild.destroyForcibly();
                jdkChild.getOutputStream().close();
                jdkChild.getInputStream().close();
                jdkChild.getErrorStream().close();
                assertThat(jdkChild.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
    }

    @Test
    void invalidHandOffsAreRefusedBeforeAnythingStartsAndLeaveTheEndOpen() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipe other = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd();
             TokenPipeEnd otherWriter = other.takeWriteEnd()) {
            for (int bad : new int[] {2, 1, 0, -1}) {
                assertThatIllegalArgumentException()
                        .isThrownBy(() -> ChildProcess.builder("true").passEnd(writer, bad))
                        .withMessageContaining("childFd " + bad).withMessageContaining("below 3");
            }
            ChildProcess.Builder builder = ChildProcess.builder("true").passEnd(writer, 3);
            assertThatIllegalArgumentException().isThrownBy(() -> builder.passEnd(writer, 4))
                    .withMessageContaining("already passed at childFd 3");
            assertThatIllegalArgumentException().isThrownBy(() -> builder.passEnd(otherWriter, 3))
                    .withMessageContaining("childFd 3 is already taken");
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> ChildProcess.builder("true").passEnd(writer, Integer.MAX_VALUE))
                    .withMessageContaining("childFd " + Integer.MAX_VALUE).withMessageContaining("open-file limit");
            TokenPipeEnd closed = other.takeReadEnd();
            closed.close();
            assertThatIllegalArgumentException().isThrownBy(() -> ChildProcess.builder("true").passEnd(closed, 3))
                    .withMessageContaining("is closed");
            TokenPipeEnd neverOpen = pipe.takeWriteEnd(); // a second take
            assertThatIllegalArgumentException().isThrownBy(() -> ChildProcess.builder("true").passEnd(neverOpen, 3))
                    .withMessageContaining("is closed");
            // Nothing was handed over: both ends still work.
            assertThat(writer.isOpen()).isTrue();
            assertThat(otherWriter.isOpen()).isTrue();
            assertThat(writer.tokenWrite(8)).isZero();
            assertThat(reader.tokenRead()).isEqualTo(8);
        }
    }

    @Test
    void anEndClosedAfterPassEndFailsTheStartAndTheOtherEndsAreClosed() throws Exception {
        try (TokenPipe first = TokenPipe.make().orElseThrow();
             TokenPipe second = TokenPipe.make().orElseThrow();
             TokenPipeEnd secondReader = second.takeReadEnd()) {
            TokenPipeEnd firstWriter = first.takeWriteEnd();
            TokenPipeEnd secondWriter = second.takeWriteEnd();
            ChildProcess.Builder builder = ChildProcess.builder("sh", "-c", "printf '\\001' >&4")
                    .passEnd(secondWriter, 4)
                    .passEnd(firstWriter, 3);
            firstWriter.close();
            assertThatIllegalStateException().isThrownBy(builder::start)
                    .withMessageContaining("passed at childFd 3 was closed");
            assertThat(secondWriter.isOpen()).isFalse();
            assertThat(secondReader.tokenRead(PATIENCE)).as("no child got it").isEqualTo(TS_EOS);
            assertThatIllegalStateException().isThrownBy(builder::start).withMessageContaining("already started");
        }
    }

    @Test
    void threadsStartingChildrenAtTheSameTimeEachGetTheirOwnToken() throws Exception {
        // Four threads hand over pipes concurrently: each child must get exactly its own end (an end leaked into
        // a sibling would delay that reader's end of stream, or deliver a token to the wrong reader).
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 25; i++) {
                        int token = thread * 25 + i;
                        String script = "printf '\\" + Integer.toOctalString(token) + "' >&5";
                        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
                             TokenPipeEnd reader = pipe.takeReadEnd();
                             ChildProcess child = ChildProcess.builder("sh", "-c", script)
                                     .passEnd(pipe.takeWriteEnd(), 5).start()) {
                            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(token);
                            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
                            assertThat(child.waitFor()).isZero();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aBuilderStartsOneProcess() throws Exception {
        ChildProcess.Builder builder = ChildProcess.builder("true");
        try (ChildProcess child = builder.start()) {
            assertThat(child.waitFor()).isZero();
        }
        assertThatIllegalStateException().isThrownBy(builder::start).withMessageContaining("starts one");
    }
}
