package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.NewestJdk;
import io.tokenpipe.testing.RawFds;
import io.tokenpipe.testing.Seccomp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * adopt() where statx(2) is refused, as on Linux before 4.11 (ENOSYS) and under older container seccomp profiles
 * (ENOSYS, EPERM): a child JVM installs a seccomp filter that makes statx fail, then adopts a pipe, a FIFO, and is
 * refused a regular file and a socket, each with the right reason.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class AdoptWithoutStatxTest {

    @Test
    void adoptWorksWhenStatxFailsWithEnosys() throws Exception {
        assertAdopts(JavaChild.javaExecutable(), "38");
    }

    @Test
    void adoptWorksWhenStatxFailsWithEperm() throws Exception {
        assertAdopts(JavaChild.javaExecutable(), "1");
    }

    @Test
    void onTheNewestJdk() throws Exception {
        Optional<Path> java = NewestJdk.java(22);
        Assumptions.assumeTrue(java.isPresent(), "no JDK 22 or later under /usr/lib/jvm");
        assertAdopts(java.get().toString(), "38");
    }

    private static void assertAdopts(String java, String errno) throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.arch").equals("amd64"), "the filter is for x86-64");
        List<String> command = new ArrayList<>(JavaChild.command(List.of("--enable-native-access=ALL-UNNAMED"),
                AdoptUnderSeccomp.class, errno));
        command.set(0, java);
        if (java.equals(JavaChild.javaExecutable()) && Runtime.version().feature() < 22) {
            command.remove(1); // Java 17 has no such option
        }
        JavaChild.Result result = JavaChild.run(command);
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("statx refused: errno " + errno)
                .contains("pipe: token 3")
                .contains("fifo: token 4")
                .containsPattern("file: fd \\d+ is not a pipe or FIFO")
                .containsPattern("socket: fd \\d+ is not a pipe or FIFO");
    }

    /** Installs the filter, checks that statx now fails, and adopts what it is given. */
    public static final class AdoptUnderSeccomp {
        public static void main(String[] args) throws Exception {
            int errno = Integer.parseInt(args[0]);
            TokenPipe.make().orElseThrow().close(); // the native layer loads before the filter
            Seccomp.deny(Seccomp.STATX_X86_64, errno);
            System.out.println("statx refused: errno " + StatxProbe.errno());
            int[] fds = new int[2];
            RawFds.pipe(fds);
            try (TokenPipeEnd reader = TokenPipeEnd.adopt(fds[0]); TokenPipeEnd writer = TokenPipeEnd.adopt(fds[1])) {
                writer.tokenWrite(3);
                System.out.println("pipe: token " + reader.tokenRead(Duration.ofSeconds(10)));
            }
            Path dir = Files.createTempDirectory("tokenpipe-statx");
            Path fifo = dir.resolve("fifo");
            RawFds.mkfifo(fifo.toString(), 0600);
            try (TokenPipeEnd end = TokenPipeEnd.adopt(RawFds.open(fifo.toString(), RawFds.O_RDWR, 0))) {
                end.tokenWrite(4);
                System.out.println("fifo: token " + end.tokenRead(Duration.ofSeconds(10)));
            }
            Path file = Files.writeString(dir.resolve("file"), "x");
            int fileFd = RawFds.open(file.toString(), RawFds.O_RDONLY, 0);
            refuse("file", fileFd);
            RawFds.close(fileFd);
            int socket = RawFds.socket(1, 1, 0);
            refuse("socket", socket);
            RawFds.close(socket);
            // java.io.File.delete is unlink(2)/rmdir(2); Files.delete on JDK 22+ stats the path with statx first,
            // which the filter refuses (EPERM in the second case)
            fifo.toFile().delete();
            file.toFile().delete();
            dir.toFile().delete();
        }

        private static void refuse(String what, int fd) {
            try {
                TokenPipeEnd.adopt(fd).close();
                System.out.println(what + ": adopted!");
            } catch (IllegalArgumentException e) {
                System.out.println(what + ": " + e.getMessage());
            }
        }
    }

    /** statx(fd 0, "", AT_EMPTY_PATH, STATX_TYPE) through JNA: 0, or -1 and the errno. */
    static final class StatxProbe {
        static {
            com.sun.jna.Native.register(StatxProbe.class, com.sun.jna.Platform.C_LIBRARY_NAME);
        }

        private static native long syscall(long number, long fd, String path, long flags, long mask, byte[] buf);

        static int errno() {
            long result = syscall(Seccomp.STATX_X86_64, 0, "", 0x1000, 1, new byte[512]);
            return result == 0 ? 0 : com.sun.jna.Native.getLastError();
        }
    }
}
