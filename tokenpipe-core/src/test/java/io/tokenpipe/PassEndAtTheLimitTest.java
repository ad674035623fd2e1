package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.NewestJdk;
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
 * passEnd accepts every descriptor number below the open-file limit, so the highest one, limit - 1, must work too:
 * it used to be accepted and then make every start() fail (F_DUPFD_CLOEXEC found no room above it). Runs in child
 * JVMs under "ulimit -n 64", on this JDK and on the newest one.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class PassEndAtTheLimitTest {
    private static final String LIMIT = "ulimit -n 64;";

    @Test
    void theHighestNumberBelowTheLimitWorksAndTheLimitItselfIsRefused() throws Exception {
        assertChildPassed(JavaChild.runUnderShell(LIMIT, List.of(), PassAtTheLimit.class));
    }

    @Test
    void onTheNewestJdk() throws Exception {
        Optional<Path> java = NewestJdk.java(22);
        Assumptions.assumeTrue(java.isPresent(), "no JDK 22 or later under /usr/lib/jvm");
        List<String> command = new ArrayList<>(JavaChild.command(List.of("--enable-native-access=ALL-UNNAMED"),
                PassAtTheLimit.class));
        command.set(0, java.get().toString());
        assertChildPassed(JavaChild.runUnderShell(LIMIT, command));
    }

    private static void assertChildPassed(JavaChild.Result result) {
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("limit 64").contains("token at fd 63: 5")
                .contains("childFd 64 is not below the open-file limit 64");
    }

    /** Hands a write end to python3 at fd 63 (limit - 1), which writes token 5 there. */
    public static final class PassAtTheLimit {
        public static void main(String[] args) throws Exception {
            System.out.println("limit " + io.tokenpipe.internal.NativeIo.get().openFileLimit());
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
                try {
                    ChildProcess.builder("true").passEnd(writer, 64);
                } catch (IllegalArgumentException expected) {
                    System.out.println(expected.getMessage());
                }
            }
            try (TokenPipe pipe = TokenPipe.make().orElseThrow();
                 TokenPipeEnd reader = pipe.takeReadEnd();
                 ChildProcess child = ChildProcess.builder("python3", "-c", "import os; os.write(63, bytes([5]))")
                         .passEnd(pipe.takeWriteEnd(), 63).start()) {
                System.out.println("token at fd 63: " + reader.tokenRead(Duration.ofSeconds(30)));
                System.out.println("exit " + child.waitFor());
            }
        }
    }
}
