package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tokenpipe.testing.AdoptRace;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.NewestJdk;
import io.tokenpipe.testing.RawFds;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One owner per descriptor: threads adopting the same descriptor at once get one end between them, and a
 * descriptor a live end owns is refused whatever its close-on-exec flag says (owning it twice would close it twice,
 * the second time under whoever got the number next).
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class AdoptOwnershipTest {

    @Test
    void threadsAdoptingOneDescriptorAtOnceGetOneOwner() throws Exception {
        Scenarios.threadsAdoptingOneDescriptorAtOnceGetOneOwner();
    }

    @Test
    void anOwnedDescriptorIsRefusedEvenWithoutCloseOnExec() {
        Scenarios.anOwnedDescriptorIsRefusedEvenWithoutCloseOnExec();
    }

    @Test
    void onTheNewestJdk() throws Exception {
        NewestJdk.runScenarios(List.of(), Scenarios.class, "threadsAdoptingOneDescriptorAtOnceGetOneOwner",
                "anOwnedDescriptorIsRefusedEvenWithoutCloseOnExec");
    }

    /** The scenarios, run here on Java 17 and by {@link #onTheNewestJdk} in a child JVM. */
    public static final class Scenarios {
        static final int ROUNDS = 500;
        static final int THREADS = 4;

        public static void threadsAdoptingOneDescriptorAtOnceGetOneOwner() throws Exception {
            AdoptRace.run(ROUNDS, THREADS);
        }

        public static void anOwnedDescriptorIsRefusedEvenWithoutCloseOnExec() {
            try (TokenPipe pipe = TokenPipe.make().orElseThrow();
                 TokenPipeEnd reader = pipe.takeReadEnd();
                 TokenPipeEnd writer = pipe.takeWriteEnd()) {
                int fd = reader.handle().fd();
                // Someone clears FD_CLOEXEC on it (native code, or a hand-over gone wrong): it is still owned.
                assertThat(RawFds.fcntl(fd, 2 /* F_SETFD */, 0)).isZero();
                assertThatIllegalArgumentException().isThrownBy(() -> TokenPipeEnd.adopt(fd))
                        .withMessageContaining("fd " + fd).withMessageContaining("already owned");
                assertThat(writer.tokenWrite(6)).isZero();
                assertThat(reader.tokenRead()).isEqualTo(6);
            }
        }
    }
}
