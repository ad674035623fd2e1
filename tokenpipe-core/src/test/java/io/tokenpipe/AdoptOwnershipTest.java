package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.NewestJdk;
import io.tokenpipe.testing.RawFds;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                CyclicBarrier start = new CyclicBarrier(THREADS);
                for (int round = 0; round < ROUNDS; round++) {
                    int[] fds = new int[2];
                    assertThat(RawFds.pipe(fds)).isZero(); // not close-on-exec, as an inherited pipe is
                    List<Future<TokenPipeEnd>> adopters = new ArrayList<>();
                    for (int i = 0; i < THREADS; i++) {
                        adopters.add(pool.submit(() -> {
                            start.await(10, TimeUnit.SECONDS);
                            try {
                                return TokenPipeEnd.adopt(fds[0]);
                            } catch (IllegalArgumentException refused) {
                                assertThat(refused).hasMessageContaining("fd " + fds[0]);
                                return null;
                            }
                        }));
                    }
                    List<TokenPipeEnd> owners = new ArrayList<>();
                    for (Future<TokenPipeEnd> adopter : adopters) {
                        TokenPipeEnd end = adopter.get(20, TimeUnit.SECONDS);
                        if (end != null) {
                            owners.add(end);
                        }
                    }
                    assertThat(owners).as("owners of fd %d in round %d", fds[0], round).hasSize(1);
                    owners.get(0).close();
                    assertThat(RawFds.isOpen(fds[0])).isFalse();
                    RawFds.close(fds[1]);
                }
            } finally {
                pool.shutdownNow();
            }
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
