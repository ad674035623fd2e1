package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Virtual threads (Java 21+) move between carrier threads, and so between native thread ids: timeouts and
 * close() must reach a virtual thread on the carrier it is blocked on now, not the one it first ran on. Runs in
 * a child JVM of the newest JDK 21+ found under /usr/lib/jvm (the build itself targets Java 17).
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class VirtualThreadsTest {
    private static final int THREADS = 8;

    @Test
    void timeoutsAndCloseReachVirtualThreadsThatMovedToAnotherCarrier() throws Exception {
        Optional<Path> java = JavaChild.javaOfAtLeast(21);
        Assumptions.assumeTrue(java.isPresent(), "no JDK 21 or later under /usr/lib/jvm");
        List<String> command = new ArrayList<>(JavaChild.command(List.of("-Djdk.virtualThreadScheduler.parallelism=2",
                "-Djdk.virtualThreadScheduler.maxPoolSize=2"), VirtualThreadsChild.class));
        command.set(0, java.get().toString());
        JavaChild.Result result = JavaChild.run(command);
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("timeouts: " + THREADS + "/" + THREADS)
                .contains("woken by close: " + THREADS + "/" + THREADS);
    }

    /**
     * Virtual threads on two carriers: each registers with a token call, sleeps (so that it may come back on the
     * other carrier), waits for a token that never comes (a timeout), waits until every thread has timed out,
     * sleeps again and blocks until main closes its end.
     */
    public static final class VirtualThreadsChild {
        public static void main(String[] args) throws Exception {
            Method startVirtualThread = Thread.class.getMethod("startVirtualThread", Runnable.class);
            AtomicInteger timeouts = new AtomicInteger();
            AtomicInteger wokenByClose = new AtomicInteger();
            CountDownLatch timedOut = new CountDownLatch(THREADS);
            List<TokenPipe> pipes = new ArrayList<>();
            List<TokenPipeEnd> readers = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                TokenPipe pipe = TokenPipe.make().orElseThrow();
                TokenPipeEnd reader = pipe.takeReadEnd();
                pipes.add(pipe);
                readers.add(reader);
                int index = i;
                threads.add((Thread) startVirtualThread.invoke(null, (Runnable) () -> {
                    try {
                        // a read that blocks (a zero timeout would only look): registers on the carrier it runs on
                        reader.tokenRead(Duration.ofMillis(1));
                        Thread.sleep(5 + index);
                        if (reader.tokenRead(Duration.ofMillis(100)) == TokenPipeEnd.TS_TIMEOUT) {
                            timeouts.incrementAndGet();
                        }
                        timedOut.countDown();
                        // Every timed read first: a thread in its untimed read pins its carrier until main closes,
                        // and with both carriers pinned so, the threads still before their timed read never ran.
                        timedOut.await();
                        Thread.sleep(5 + index);
                        if (reader.tokenRead() == TokenPipeEnd.TS_ERR && reader.lastErrno() == 9) {
                            wokenByClose.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            timedOut.await();
            Thread.sleep(200); // both carriers now blocked in read(2) by two of the threads
            readers.forEach(TokenPipeEnd::close);
            for (Thread thread : threads) {
                thread.join();
            }
            pipes.forEach(TokenPipe::close);
            System.out.println("timeouts: " + timeouts + "/" + THREADS);
            System.out.println("woken by close: " + wokenByClose + "/" + THREADS);
        }
    }
}
