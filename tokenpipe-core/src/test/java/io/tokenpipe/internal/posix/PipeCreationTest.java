package io.tokenpipe.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.FdCount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Both ways of making a pipe give close-on-exec descriptors, as the kernel reports in /proc/self/fdinfo. */
@ExtendWith(FdCount.class)
class PipeCreationTest {
    private static final int O_CLOEXEC = 02000000;
    private static final Pattern FLAGS = Pattern.compile("(?m)^flags:\\s+([0-7]+)$");

    @Test
    void pipe2MakesCloseOnExecDescriptors() throws IOException {
        assertCloseOnExecPair(false);
    }

    @Test
    void pipeAndFcntlFallbackMakesCloseOnExecDescriptors() throws IOException {
        assertCloseOnExecPair(true);
    }

    private static void assertCloseOnExecPair(boolean forceFallback) throws IOException {
        ThreadContext context = ThreadContext.current();
        NativeIo io = NativeIo.get();
        assertThat(io.pipe(context.scratch, context.scratchAddress, forceFallback)).isZero();
        int readFd = context.scratchInt(0);
        int writeFd = context.scratchInt(4);
        try {
            assertThat(readFd).isNotEqualTo(writeFd).isGreaterThan(2);
            assertThat(flags(readFd) & O_CLOEXEC).as("O_CLOEXEC of read fd %d", readFd).isNotZero();
            assertThat(flags(writeFd) & O_CLOEXEC).as("O_CLOEXEC of write fd %d", writeFd).isNotZero();
            assertThat(Files.readSymbolicLink(Path.of("/proc/self/fd/" + readFd)).toString()).startsWith("pipe:");
            // blocking mode (no O_NONBLOCK = 04000): the descriptor is safe to share with any child
            assertThat(flags(readFd) & 04000).isZero();
        } finally {
            io.close(readFd);
            io.close(writeFd);
        }
    }

    private static int flags(int fd) throws IOException {
        Matcher matcher = FLAGS.matcher(Files.readString(Path.of("/proc/self/fdinfo/" + fd)));
        assertThat(matcher.find()).isTrue();
        return Integer.parseInt(matcher.group(1), 8);
    }
}
