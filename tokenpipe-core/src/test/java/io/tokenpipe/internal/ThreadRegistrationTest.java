package io.tokenpipe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.NewestJdk;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A thread's first token call registers it, and that must cost the same however many threads registered before:
 * no global array rebuilt per new thread. Measured as the bytes the registering thread allocates (ThreadMXBean),
 * which, unlike time, does not depend on how busy the machine is.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class ThreadRegistrationTest {

    @Test
    void registeringAThreadAllocatesTheSameWithThousandsRegistered() throws Exception {
        Scenarios.registeringAThreadAllocatesTheSameWithThousandsRegistered();
    }

    @Test
    void onTheNewestJdk() throws Exception {
        NewestJdk.runScenarios(List.of(), Scenarios.class,
                "registeringAThreadAllocatesTheSameWithThousandsRegistered",
                "registeringAThreadAllocatesTheSameWithThousandsOfVirtualThreadsRegistered");
    }

    /** The scenarios, run here on Java 17 and by {@link #onTheNewestJdk} in a child JVM. */
    public static final class Scenarios {
        /** A context, its buffer and what a ThreadLocal needs: far less than a reference per registered thread. */
        private static final long MAX_BYTES = 4096;

        public static void registeringAThreadAllocatesTheSameWithThousandsRegistered() throws Exception {
            CountDownLatch release = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            try {
                for (int i = 0; i < 2_000; i++) {
                    CountDownLatch registered = new CountDownLatch(1);
                    Thread thread = new Thread(null, () -> {
                        ThreadContext.current();
                        registered.countDown();
                        awaitQuietly(release);
                    }, "registered-" + i, 64 * 1024);
                    thread.setDaemon(true);
                    thread.start();
                    threads.add(thread);
                    registered.await();
                }
                assertThat(bytesAllocatedByARegistration()).as("bytes allocated registering thread 2,001")
                        .isLessThan(MAX_BYTES);
            } finally {
                release.countDown();
                for (Thread thread : threads) {
                    thread.join(10_000);
                }
            }
        }

        public static void registeringAThreadAllocatesTheSameWithThousandsOfVirtualThreadsRegistered()
                throws Exception {
            Method startVirtualThread = Thread.class.getMethod("startVirtualThread", Runnable.class);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch registered = new CountDownLatch(10_000);
            List<Thread> threads = new ArrayList<>();
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
                for (int i = 0; i < 10_000; i++) {
                    threads.add((Thread) startVirtualThread.invoke(null, (Runnable) () -> {
                        reader.tokenRead(Duration.ZERO);
                        registered.countDown();
                        awaitQuietly(release);
                    }));
                }
                assertThat(registered.await(60, TimeUnit.SECONDS)).isTrue();
                assertThat(bytesAllocatedByARegistration()).as("bytes allocated registering a thread after 10,000"
                        + " virtual threads").isLessThan(MAX_BYTES);
            } finally {
                release.countDown();
                for (Thread thread : threads) {
                    thread.join(10_000);
                }
            }
        }

        /** What a new platform thread allocates in its first ThreadContext.current(). */
        private static long bytesAllocatedByARegistration() throws Exception {
            com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            CompletableFuture<Long> bytes = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                @SuppressWarnings("deprecation")
                long id = Thread.currentThread().getId();
                long before = bean.getThreadAllocatedBytes(id);
                ThreadContext.current();
                bytes.complete(bean.getThreadAllocatedBytes(id) - before);
            });
            thread.start();
            thread.join();
            return bytes.get();
        }

        private static void awaitQuietly(CountDownLatch latch) {
            try {
                latch.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
