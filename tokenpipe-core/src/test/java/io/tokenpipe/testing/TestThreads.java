package io.tokenpipe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

/** Starting and joining the plain threads that concurrency tests use. */
public final class TestThreads {
    private TestThreads() {
    }

    /** A started thread running {@code body}. */
    public static Thread start(Runnable body) {
        Thread thread = new Thread(body);
        thread.start();
        return thread;
    }

    /** Joins every thread, failing if one is still running after {@code within} (a hang guard). */
    public static void joinAll(List<Thread> threads, Duration within) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(within.toMillis());
            assertThat(thread.isAlive()).as("%s finished", thread.getName()).isFalse();
        }
    }
}
