package io.tokenpipe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

/**
 * Starting and joining the plain threads that concurrency tests use. A failed assertion (or any exception) in
 * such a thread fails the test at {@link #joinAll}, instead of only reaching the uncaught-exception handler.
 */
public final class TestThreads {
    private TestThreads() {
    }

    /** A started thread running {@code body}; what it throws is reported by {@link #joinAll}. */
    public static Thread start(Runnable body) {
        Thread thread = new Recording(body);
        thread.start();
        return thread;
    }

    /** Joins every thread, failing if one is still running after {@code within} (a hang guard) or threw. */
    public static void joinAll(List<Thread> threads, Duration within) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(within.toMillis());
            assertThat(thread.isAlive()).as("%s finished", thread.getName()).isFalse();
            if (thread instanceof Recording && ((Recording) thread).failure != null) {
                throw new AssertionError(thread.getName() + " failed", ((Recording) thread).failure);
            }
        }
    }

    private static final class Recording extends Thread {
        private final Runnable body;
        private volatile Throwable failure;

        Recording(Runnable body) {
            this.body = body;
        }

        @Override
        public void run() {
            try {
                body.run();
            } catch (Throwable e) {
                failure = e;
                throw e;
            }
        }
    }
}
