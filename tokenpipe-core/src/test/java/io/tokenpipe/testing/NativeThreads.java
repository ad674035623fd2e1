package io.tokenpipe.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Observes threads through /proc: whether one is blocked in the kernel on a pipe. */
public final class NativeThreads {
    private NativeThreads() {
    }

    /** Waits until thread {@code tid} of this process sleeps in a pipe read or write (wchan names it). */
    public static void awaitBlockedOnPipe(long tid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Path wchan = Path.of("/proc/self/task/" + tid + "/wchan");
        for (int round = 0; ; round++) {
            try {
                if (Files.readString(wchan).contains("pipe")) {
                    return;
                }
            } catch (IOException e) {
                // thread not there yet or gone: keep looking until the deadline
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("thread " + tid + " never blocked on a pipe");
            }
            if (round < 100) {
                Thread.yield(); // usually blocked within microseconds: do not pay a millisecond per check
            } else {
                Thread.sleep(1);
            }
        }
    }
}
