package io.tokenpipe.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokenpipe.ChildProcess;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.RawFds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input the core API can be given, in one place: each gets a clear exception naming the value and
 * the rule, changes nothing (the end stays open and usable, the fd stays as it was) and leaks nothing.
 */
@ExtendWith(FdCount.class)
@Timeout(60)
class BadInputIT {
    @TempDir
    Path temp;

    @Test
    void badTokensAndTimeoutsChangeNothing() {
        int cases = 0;
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            for (int token : new int[] {-1, 256, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
                assertThatIllegalArgumentException().isThrownBy(() -> writer.tokenWrite(token))
                        .withMessage("token " + token + " is outside 0..255: a token is one byte");
                cases++;
            }
            assertThatNullPointerException().isThrownBy(() -> reader.tokenRead(null)).withMessage("timeout");
            assertThatIllegalArgumentException().isThrownBy(() -> reader.tokenRead(Duration.ofNanos(-1)))
                    .withMessageContaining("PT-0.000000001S is negative");
            assertThatIllegalArgumentException().isThrownBy(() -> reader.tokenRead(Duration.ofSeconds(Long.MIN_VALUE)))
                    .withMessageContaining("is negative");
            cases += 3;
            // nothing was written, nothing failed, and both ends still work
            assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(TokenPipeEnd.TS_TIMEOUT);
            assertThat(writer.lastErrno()).isZero();
            assertThat(reader.lastErrno()).isZero();
            assertThat(writer.tokenWrite(9)).isZero();
            assertThat(reader.tokenRead()).isEqualTo(9);
        }
        Figures.report("bad tokens (-1, 256, MIN, MAX) and timeouts (null, negative)", cases + " calls",
                "0 tokens written, ends unchanged");
    }

    @Test
    void adoptingWhatIsNotAnInheritedPipeIsRefusedAndLeavesTheFdAlone() throws IOException {
        Path file = Files.writeString(temp.resolve("not-a-pipe"), "data");
        int fileFd = RawFds.openReadOnly(file);
        int socketFd = RawFds.unixSocket();
        int notOpen = 900;
        try {
            assertThat(RawFds.isOpen(notOpen)).isFalse();
            assertRefused(-1, "fd -1 is negative");
            assertRefused(0, "fd 0 is standard input");
            assertRefused(1, "fd 1 is standard output");
            assertRefused(2, "fd 2 is standard error");
            assertRefused(notOpen, "fd 900 is not open: EBADF (Bad file descriptor)");
            int fileFlags = RawFds.fdinfoFlags(fileFd);
            assertRefused(fileFd, "fd " + fileFd + " is a regular file, not a pipe or FIFO");
            assertThat(RawFds.fdinfoFlags(fileFd)).as("flags of the refused file fd").isEqualTo(fileFlags);
            assertRefused(socketFd, "fd " + socketFd + " is a socket, not a pipe or FIFO");
            assertThat(RawFds.isOpen(fileFd)).isTrue();
            assertThat(RawFds.isOpen(socketFd)).isTrue();
        } finally {
            RawFds.close(fileFd);
            RawFds.close(socketFd);
        }
        Figures.report("adopt of -1, 0, 1, 2 (stdout among them), a closed fd, a regular file, a socket", "7 calls",
                "all refused naming fd and reason; the fds untouched");
    }

    @Test
    void badHandOffsAreRefusedBeforeAnyProcessStartsAndTheEndStaysOpen() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            TokenPipe other = TokenPipe.make().orElseThrow();
            TokenPipeEnd closed = other.takeReadEnd();
            closed.close();
            other.close(); // its write end, never taken: left to the leak guard it was closed during a later test
            for (int childFd : new int[] {0, 1, 2, -1, Integer.MIN_VALUE}) {
                assertThatIllegalArgumentException()
                        .isThrownBy(() -> ChildProcess.builder("true").passEnd(writer, childFd))
                        .withMessageContaining(String.valueOf(childFd));
            }
            assertThatIllegalArgumentException().isThrownBy(() -> ChildProcess.builder("true").passEnd(closed, 3))
                    .withMessageContaining("closed");
            ChildProcess.Builder twice = ChildProcess.builder("true").passEnd(writer, 3);
            assertThatIllegalArgumentException().isThrownBy(() -> twice.passEnd(writer, 4))
                    .withMessageContaining("already");
            assertThat(ProcessHandle.current().children()).isEmpty();
            assertThat(writer.isOpen()).isTrue();
            assertThat(writer.tokenWrite(3)).isZero();
            assertThat(reader.tokenRead()).isEqualTo(3);
        }
        Figures.report("passEnd of a closed end, the same end twice, childFd 0/1/2/-1/MIN", "7 calls",
                "all refused before any process started; the end still open and working");
    }

    @Test
    void spawningWhatCannotRunFailsClearlyAndClosesThePassedEnd() throws Exception {
        for (List<String> command : List.of(List.of("/no/such/program"), List.of("no-such-program-on-path"),
                List.of(temp.toString()))) {
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
                TokenPipeEnd writer = pipe.takeWriteEnd();
                assertThatThrownBy(() -> ChildProcess.builder(command).passEnd(writer, 3).start())
                        .isInstanceOf(IOException.class).hasMessageContaining(command.get(0))
                        .hasMessageMatching("(?s).*(ENOENT|EACCES).*");
                assertThat(writer.isOpen()).as("passed end after a failed start").isFalse();
                assertThat(reader.tokenRead()).isEqualTo(TokenPipeEnd.TS_EOS); // no copy of it survives anywhere
            }
        }
        assertThat(ProcessHandle.current().children()).isEmpty();
        Figures.report("spawn of a missing program (path and PATH) and of a directory", "3 starts",
                "IOException with errno text; passed ends closed; 0 fds, 0 children");
    }

    private static void assertRefused(int fd, String message) {
        assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(fd)).withMessageStartingWith(message);
    }
}
