package io.tokenpipe.faults;

import static io.tokenpipe.TokenPipeEnd.TS_ERR;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.NativeThreads;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A reader blocked in tokenRead() (or just about to be) while another thread closes its end, 10,000 times.
 * Every blocked call must return TS_ERR (EBADF), none may hang, and a pipe made right after, which gets the
 * freed descriptor numbers, must never lose its token to the old reader.
 */
@ExtendWith(FdCount.class)
@Timeout(240)
class CloseWhileBlockedIT {
    private static final ExecutorService READER = Executors.newSingleThreadExecutor();

    @AfterAll
    static void stopReader() {
        READER.shutdownNow();
    }

    @Test
    void tenThousandClosesOfABlockedReaderNeverHangAndNeverStealAToken() throws Exception {
        int rounds = 10_000;
        int blockedWhenClosed = 0;
        long tid = READER.submit(() -> ThreadContext.current().threadId()).get();
        for (int round = 0; round < rounds; round++) {
            TokenPipe old = TokenPipe.make().orElseThrow();
            TokenPipeEnd oldReader = old.takeReadEnd();
            TokenPipeEnd oldWriter = old.takeWriteEnd();
            Future<int[]> call = READER.submit(() -> new int[] {oldReader.tokenRead(), oldReader.lastErrno()});
            if (round % 2 == 0) {
                NativeThreads.awaitBlockedOnPipe(tid); // the classic case: asleep in read(2)
                blockedWhenClosed++;
            } else {
                spin(ThreadLocalRandom.current().nextInt(2_000)); // racing the reader on its way in
            }
            oldReader.close();
            try (TokenPipe fresh = TokenPipe.make().orElseThrow();
                 TokenPipeEnd freshReader = fresh.takeReadEnd();
                 TokenPipeEnd freshWriter = fresh.takeWriteEnd()) {
                assertThat(freshWriter.tokenWrite(77)).isZero();
                int[] result = call.get(10, TimeUnit.SECONDS);
                assertThat(result).as("round %d", round).containsExactly(TS_ERR, Errno.EBADF);
                assertThat(freshReader.tokenRead(Duration.ofSeconds(10))).as("round %d", round).isEqualTo(77);
            }
            oldWriter.close();
        }
        Figures.report("close() from another thread while a reader waits in tokenRead()",
                rounds + " rounds (" + blockedWhenClosed + " asleep in read(2), the rest racing)",
                "0 hangs, 0 tokens stolen after fd reuse");
    }

    private static void spin(int iterations) {
        for (int i = 0; i < iterations; i++) {
            Thread.onSpinWait();
        }
    }
}
