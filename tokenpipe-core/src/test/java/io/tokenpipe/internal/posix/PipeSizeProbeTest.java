package io.tokenpipe.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.RawFds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * adopt()'s fallback where statx is refused, forced in this JVM: fcntl(F_GETPIPE_SZ) tells a pipe or FIFO from
 * everything else (AdoptWithoutStatxTest gets there through a real seccomp filter in child JVMs).
 */
@ExtendWith(FdCount.class)
@Timeout(60)
class PipeSizeProbeTest {
    @TempDir
    Path temp;

    @BeforeEach
    void force() {
        PosixIo.forcePipeSizeProbe = true;
    }

    @AfterEach
    void restore() {
        PosixIo.forcePipeSizeProbe = false;
    }

    @Test
    void aPipeAndAFifoAreAdoptedAFileAndASocketAreNot() throws Exception {
        int[] fds = new int[2];
        assertThat(RawFds.pipe(fds)).isZero();
        try (TokenPipeEnd reader = TokenPipeEnd.adopt(fds[0]); TokenPipeEnd writer = TokenPipeEnd.adopt(fds[1])) {
            assertThat(writer.tokenWrite(8)).isZero();
            assertThat(reader.tokenRead(Duration.ofSeconds(5))).isEqualTo(8);
        }
        Path fifo = temp.resolve("fifo");
        assertThat(RawFds.mkfifo(fifo.toString(), 0600)).isZero();
        try (TokenPipeEnd end = TokenPipeEnd.adopt(RawFds.open(fifo.toString(), RawFds.O_RDWR, 0))) {
            assertThat(end.tokenWrite(9)).isZero();
            assertThat(end.tokenRead(Duration.ofSeconds(5))).isEqualTo(9);
        }
        int file = RawFds.open(Files.writeString(temp.resolve("file"), "x").toString(), RawFds.O_RDONLY, 0);
        int socket = RawFds.socket(1, 1, 0);
        try {
            for (int fd : new int[] {file, socket}) {
                int flags = RawFds.fdinfoFlags(fd);
                assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(fd))
                        .withMessage("fd " + fd + " is not a pipe or FIFO (fcntl F_GETPIPE_SZ: EBADF (Bad file"
                                + " descriptor))");
                assertThat(RawFds.fdinfoFlags(fd)).as("left as it was").isEqualTo(flags);
            }
        } finally {
            RawFds.close(file);
            RawFds.close(socket);
        }
    }
}
