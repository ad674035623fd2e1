package io.tokenpipe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.NativeThreads;
import io.tokenpipe.testing.NewestJdk;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A virtual thread's native id is its carrier's, which changes between calls: the id a closer or the waker signals
 * must be the carrier the thread is in a system call on now, published just before the call and cleared when it
 * leaves, so that no signal ever goes to the carrier of an earlier call (by then running other code). Runs in a
 * child JVM of the newest JDK (virtual threads are Java 21+).
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class VirtualThreadIdTest {

    @Test
    void onTheNewestJdk() throws Exception {
        NewestJdk.runScenarios(List.of("-Djdk.virtualThreadScheduler.parallelism=2"), Scenarios.class,
                "theCarrierIdIsPublishedOnlyWhileInACall");
    }

    /** The scenario, run in a child JVM by {@link #onTheNewestJdk}. */
    public static final class Scenarios {
        public static void theCarrierIdIsPublishedOnlyWhileInACall() throws Exception {
            Method startVirtualThread = Thread.class.getMethod("startVirtualThread", Runnable.class);
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
                TokenPipeEnd reader = pipe.takeReadEnd();
                CompletableFuture<ThreadContext> context = new CompletableFuture<>();
                CompletableFuture<Long> idAfterACall = new CompletableFuture<>();
                CompletableFuture<Integer> blocked = new CompletableFuture<>();
                CompletableFuture<Void> go = new CompletableFuture<>();
                assertThat(writer.tokenWrite(1)).isZero(); // so that the first call's read(2) is made
                startVirtualThread.invoke(null, (Runnable) () -> {
                    ThreadContext mine = ThreadContext.current();
                    context.complete(mine);
                    reader.tokenRead(Duration.ZERO); // reads the token: its read(2) published the carrier's id
                    idAfterACall.complete(mine.threadId());
                    go.join();
                    blocked.complete(reader.tokenRead());
                });
                assertThat(idAfterACall.get(20, TimeUnit.SECONDS)).as("carrier id left after the call").isZero();
                go.complete(null);
                ThreadContext blockedContext = context.get();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (blockedContext.threadId() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                NativeThreads.awaitBlockedOnPipe(blockedContext.threadId()); // the carrier it is blocked on
                reader.close();
                assertThat(blocked.get(20, TimeUnit.SECONDS)).isEqualTo(TokenPipeEnd.TS_ERR);
                assertThat(blockedContext.threadId()).isZero();
            }
        }
    }
}
