package io.tokenpipe;

import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.NativeThreads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A thread blocked in the kernel in {@code tokenRead()} on an end, and what that read returns: status and errno. */
final class BlockedRead {
    private final Thread thread;
    private final CompletableFuture<int[]> result;

    private BlockedRead(Thread thread, CompletableFuture<int[]> result) {
        this.thread = thread;
        this.result = result;
    }

    /** Starts the read and returns once the thread sleeps in read(2) on the pipe. */
    static BlockedRead start(TokenPipeEnd end, String name) throws Exception {
        CompletableFuture<Long> tid = new CompletableFuture<>();
        CompletableFuture<int[]> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            tid.complete(ThreadContext.current().threadId());
            result.complete(new int[] {end.tokenRead(), end.lastErrno()});
        }, name);
        thread.start();
        NativeThreads.awaitBlockedOnPipe(tid.get(10, TimeUnit.SECONDS));
        return new BlockedRead(thread, result);
    }

    /** Interrupts the reading thread. */
    void interrupt() {
        thread.interrupt();
    }

    /** What the read returned, once it did (at most 10 s from now), and the thread has ended. */
    int[] result() throws Exception {
        int[] statusAndErrno = result.get(10, TimeUnit.SECONDS);
        thread.join();
        return statusAndErrno;
    }
}
