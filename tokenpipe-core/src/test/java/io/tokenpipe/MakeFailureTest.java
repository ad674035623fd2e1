package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.RawFds;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** make() when the OS refuses, and on a platform where the native layer cannot load: empty, with the reason. */
@ExtendWith(FdCount.class)
@Timeout(120)
class MakeFailureTest {

    @Test
    void exhaustedDescriptorsMakeMakeReturnEmptyWithEmfile() throws Exception {
        JavaChild.Result result = JavaChild.runUnderShell("ulimit -n 256;", List.of(), ExhaustDescriptors.class);
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("errno=24").contains("EMFILE (Too many open files)")
                .contains("after release: made");
    }

    /**
     * Every descriptor taken before make() first fails: its failure report must not need a class that is not loaded
     * yet, since an exploded class path (surefire's, an IDE's) opens a file per class. It threw NoClassDefFoundError
     * for NativeText, the strerror decoding, before that class was loaded with the native layer.
     */
    @Test
    void aFirstFailureWithNoDescriptorLeftStillSaysEmfile() throws Exception {
        JavaChild.Result result = JavaChild.runUnderShell("ulimit -n 256;", List.of(), FailWithNoDescriptorLeft.class);
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).as(result.toString()).contains("empty=true errno=24")
                .contains("EMFILE (Too many open files)").contains("after release: made");
    }

    @Test
    void anUnloadableNativeLayerMakesMakeReturnEmptyNotThrow() throws Exception {
        JavaChild.Result result = JavaChild.run(JavaChild.command(
                JavaChild.WITHOUT_NATIVE_SUPPORT,
                ReportMake.class));
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("empty=true").contains("token pipes are not available")
                .contains("adopt: UnsupportedOperationException");
    }

    /** Makes pipes until make() is refused, reports why, then shows that releasing them makes it work again. */
    public static final class ExhaustDescriptors {
        public static void main(String[] args) {
            List<TokenPipe> pipes = new ArrayList<>();
            while (true) {
                var pipe = TokenPipe.make();
                if (pipe.isEmpty()) {
                    break;
                }
                pipes.add(pipe.get());
            }
            System.out.println("made " + pipes.size() + " errno=" + TokenPipe.lastMakeErrno() + " "
                    + TokenPipe.lastMakeFailure().orElse("?"));
            pipes.forEach(TokenPipe::close);
            System.out.println("after release: " + (TokenPipe.make().isPresent() ? "made" : "still failing")
                    + " errno=" + TokenPipe.lastMakeErrno());
        }
    }

    /** One pipe made and closed (the native layer loads), then every descriptor taken, then make(). */
    public static final class FailWithNoDescriptorLeft {
        public static void main(String[] args) {
            TokenPipe.make().orElseThrow().close();
            List<Integer> taken = new ArrayList<>();
            for (int fd; (fd = RawFds.open("/dev/null", RawFds.O_RDONLY | RawFds.O_CLOEXEC, 0)) >= 0; ) {
                taken.add(fd);
            }
            boolean empty = TokenPipe.make().isEmpty();
            int errno = TokenPipe.lastMakeErrno();
            String failure = TokenPipe.lastMakeFailure().orElse("?");
            taken.forEach(RawFds::close);
            System.out.println("empty=" + empty + " errno=" + errno + " " + failure);
            System.out.println("after release: " + (TokenPipe.make().isPresent() ? "made" : "still failing"));
        }
    }

    /** Calls make() and adopt() and prints what it got. */
    public static final class ReportMake {
        public static void main(String[] args) {
            System.out.println("empty=" + TokenPipe.make().isEmpty() + " errno=" + TokenPipe.lastMakeErrno() + " "
                    + TokenPipe.lastMakeFailure().orElse("?"));
            try {
                TokenPipeEnd.adopt(3);
            } catch (RuntimeException e) {
                System.out.println("adopt: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
