package io.tokenpipe;

import static io.tokenpipe.TokenPipeEnd.TS_EOS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.RawFds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** TokenPipeEnd.adopt: what it takes over, what it refuses, what it changes (close-on-exec) and what not. */
@ExtendWith(FdCount.class)
@Timeout(120)
class TokenPipeEndAdoptTest {
    @TempDir
    Path temp;

    @Test
    void adoptRefusesNegativeAndStandardDescriptors() {
        assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(-1))
                .withMessageContaining("fd -1 is negative");
        assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(0))
                .withMessageContaining("fd 0 is standard input");
        assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(1))
                .withMessageContaining("fd 1 is standard output");
        assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(2))
                .withMessageContaining("fd 2 is standard error");
    }

    @Test
    void adoptRefusesADescriptorThatIsNotOpen() {
        assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(999_999))
                .withMessageContaining("fd 999999 is not open").withMessageContaining("EBADF");
    }

    @Test
    void adoptRefusesARegularFileAndLeavesItAlone() throws Exception {
        Path file = Files.writeString(temp.resolve("plain.txt"), "x");
        int fd = RawFds.openReadOnly(file);
        try {
            int flagsBefore = RawFds.fdinfoFlags(fd);
            assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(fd))
                    .withMessageContaining("fd " + fd + " is a regular file, not a pipe or FIFO");
            assertThat(RawFds.isOpen(fd)).isTrue();
            assertThat(RawFds.fdinfoFlags(fd)).isEqualTo(flagsBefore);
        } finally {
            RawFds.close(fd);
        }
    }

    @Test
    void adoptRefusesASocket() {
        int fd = RawFds.unixSocket();
        try {
            assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(fd))
                    .withMessageContaining("fd " + fd + " is a socket, not a pipe or FIFO");
            assertThat(RawFds.isOpen(fd)).isTrue();
        } finally {
            RawFds.close(fd);
        }
    }

    @Test
    void adoptMarksThePipeCloseOnExecAndNeverTouchesItsBlockingMode() {
        int[] fds = new int[2];
        assertThat(RawFds.pipe(fds)).isZero();
        // The write side is non-blocking already (as another process may have set it): adopt must keep that;
        // the read side is blocking: adopt must not make it non-blocking.
        int writeFlags = RawFds.fcntl(fds[1], RawFds.F_GETFL, 0);
        assertThat(RawFds.fcntl(fds[1], RawFds.F_SETFL, writeFlags | RawFds.O_NONBLOCK)).isZero();
        assertThat(RawFds.fdinfoFlags(fds[0]) & RawFds.O_CLOEXEC).isZero();
        try (TokenPipeEnd reader = TokenPipeEnd.adopt(fds[0]); TokenPipeEnd writer = TokenPipeEnd.adopt(fds[1])) {
            assertThat(RawFds.fdinfoFlags(fds[0]) & RawFds.O_CLOEXEC).isNotZero();
            assertThat(RawFds.fdinfoFlags(fds[1]) & RawFds.O_CLOEXEC).isNotZero();
            assertThat(RawFds.fdinfoFlags(fds[0]) & RawFds.O_NONBLOCK).isZero();
            assertThat(RawFds.fdinfoFlags(fds[1]) & RawFds.O_NONBLOCK).isNotZero();
            assertThat(writer.tokenWrite(3)).isZero();
            assertThat(reader.tokenRead()).isEqualTo(3);
            writer.close();
            assertThat(reader.tokenRead()).isEqualTo(TS_EOS);
        } // closing the ends closed both descriptors: FdCount checks that
    }

    @Test
    void adoptRefusesADescriptorThisProcessAlreadyOwns() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            int fd = reader.handle().fd();
            // Owning it twice would close it twice: the second time under whoever got the number next.
            assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(fd))
                    .withMessage("fd " + fd + " is already owned by a token pipe end in this process (fd=" + fd
                            + ", open); owning it twice would close it twice");
            int[] fds = new int[2];
            assertThat(RawFds.pipe(fds)).isZero();
            try (TokenPipeEnd adopted = TokenPipeEnd.adopt(fds[0])) {
                assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(fds[0]))
                        .withMessageContaining("already owned");
            } finally {
                RawFds.close(fds[1]);
            }
            assertThat(writer.tokenWrite(4)).isZero();
            assertThat(reader.tokenRead()).isEqualTo(4);
        }
    }

    @Test
    void adoptRefusesACloseOnExecDescriptorNobodyOwnsAndLeavesItOpen() {
        int[] fds = new int[2];
        assertThat(RawFds.pipe(fds)).isZero();
        try {
            assertThat(RawFds.fcntl(fds[0], 2 /* F_SETFD */, 1 /* FD_CLOEXEC */)).isZero(); // as this process's own
            assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(fds[0]))
                    .withMessage("fd " + fds[0] + " is close-on-exec, so it was not inherited: this process opened it"
                            + " itself (a token pipe end, a java.nio channel...)");
            assertThat(RawFds.isOpen(fds[0])).isTrue();
            // the refused claim was given up: once it is fit, it can be adopted
            assertThat(RawFds.fcntl(fds[0], 2, 0)).isZero();
            TokenPipeEnd.adopt(fds[0]).close();
        } finally {
            RawFds.close(fds[1]);
            if (RawFds.isOpen(fds[0])) {
                RawFds.close(fds[0]);
            }
        }
    }

    @Test
    void anInheritedNonBlockingPipeStillWaitsTimesOutAndWakesOnClose() throws Exception {
        // A parent written with an event loop (Go, libuv, tokio) may hand over O_NONBLOCK descriptors; the
        // calls must keep their contract (wait, time out, block while full) without changing the flag.
        int[] fds = new int[2];
        assertThat(RawFds.pipe(fds)).isZero();
        for (int fd : fds) {
            assertThat(RawFds.fcntl(fd, RawFds.F_SETFL, RawFds.fcntl(fd, RawFds.F_GETFL, 0) | RawFds.O_NONBLOCK))
                    .isZero();
        }
        try (TokenPipeEnd reader = TokenPipeEnd.adopt(fds[0]); TokenPipeEnd writer = TokenPipeEnd.adopt(fds[1])) {
            assertThat(reader.tokenRead(Duration.ofMillis(50))).isEqualTo(TokenPipeEnd.TS_TIMEOUT);
            CompletableFuture<Integer> waiting = CompletableFuture.supplyAsync(reader::tokenRead);
            Thread.sleep(50);
            assertThat(waiting).isNotDone();
            assertThat(writer.tokenWrite(9)).isZero();
            assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(9);
            int written = 0;
            while (written < 65_536) { // fill the pipe (64 KiB)
                assertThat(writer.tokenWrite(1)).isZero();
                written++;
            }
            CompletableFuture<Integer> blockedWriter = CompletableFuture.supplyAsync(() -> writer.tokenWrite(2));
            Thread.sleep(50);
            assertThat(blockedWriter).as("a write to a full pipe waits").isNotDone();
            for (int i = 0; i < 4096; i++) { // the kernel takes writes again once a whole page is free
                assertThat(reader.tokenRead()).isEqualTo(1);
            }
            assertThat(blockedWriter.get(10, TimeUnit.SECONDS)).isZero();
            while (reader.tokenRead(Duration.ZERO) >= 0) { // empty it
                continue;
            }
            CompletableFuture<Integer> blockedReader = CompletableFuture.supplyAsync(reader::tokenRead);
            Thread.sleep(50);
            assertThat(blockedReader).isNotDone();
            reader.close(); // wakes the reader waiting in poll(2)
            assertThat(blockedReader.get(10, TimeUnit.SECONDS)).isEqualTo(TokenPipeEnd.TS_ERR);
            assertThat(reader.lastErrno()).isEqualTo(9); // EBADF
            assertThat(RawFds.fdinfoFlags(fds[1]) & RawFds.O_NONBLOCK).as("O_NONBLOCK left as it was").isNotZero();
        }
    }

    @Test
    void adoptAcceptsAFifo() throws Exception {
        Path fifo = temp.resolve("fifo");
        assertThat(RawFds.mkfifo(fifo.toString(), 0600)).isZero();
        int fd = RawFds.open(fifo.toString(), RawFds.O_RDWR, 0); // O_RDWR: opening does not wait for a peer
        assertThat(fd).isNotNegative();
        try (TokenPipeEnd end = TokenPipeEnd.adopt(fd)) {
            assertThat(end.tokenWrite(200)).isZero();
            assertThat(end.tokenRead(Duration.ofSeconds(5))).isEqualTo(200);
        }
    }

    @Test
    void aChildJvmAdoptsFd3FromTheEnvironmentAndWritesAToken() throws Exception {
        Path out = temp.resolve("child.txt");
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd ready = pipe.takeReadEnd();
             ChildProcess child = ChildProcess.builder(JavaChild.command(List.of(), AdoptingChild.class))
                     .passEnd(pipe.takeWriteEnd(), 3)
                     .environment("TOKENPIPE_FD", "3")
                     .redirectOutput(out)
                     .redirectError(out)
                     .start()) {
            int token = ready.tokenRead(Duration.ofSeconds(60));
            assertThat(token).as("child said: %s", Files.exists(out) ? Files.readString(out) : "").isEqualTo(1);
            assertThat(ready.tokenRead(Duration.ofSeconds(60))).isEqualTo(TS_EOS);
            assertThat(child.waitFor()).as(Files.readString(out)).isZero();
        }
        assertThat(Files.readString(out))
                .contains("inherited fd 3: cloexec=false nonblock=false")
                .contains("adopted fd 3: cloexec=true nonblock=false")
                .contains("wrote 1");
    }

    /** The readiness protocol from the child's side: adopt $TOKENPIPE_FD, write 1 when ready. */
    public static final class AdoptingChild {
        public static void main(String[] args) {
            int fd = Integer.parseInt(System.getenv("TOKENPIPE_FD"));
            System.out.println("inherited fd " + fd + ": " + describe(fd));
            try (TokenPipeEnd notify = TokenPipeEnd.adopt(fd)) {
                System.out.println("adopted fd " + fd + ": " + describe(fd));
                int result = notify.tokenWrite(1);
                System.out.println("wrote 1: " + result);
                System.exit(result == 0 ? 0 : 1);
            }
        }

        private static String describe(int fd) {
            int flags = RawFds.fdinfoFlags(fd);
            return "cloexec=" + ((flags & RawFds.O_CLOEXEC) != 0) + " nonblock=" + ((flags & RawFds.O_NONBLOCK) != 0);
        }
    }
}
