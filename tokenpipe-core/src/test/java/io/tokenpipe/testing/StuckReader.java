package io.tokenpipe.testing;

import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.internal.ThreadContext;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A reader that nothing can wake: its thread makes one call (so its signal mask is read while it still accepts the
 * wake-up signal), then blocks the signal and waits in tokenRead() until a token or end of stream arrives.
 */
public final class StuckReader {
    public final Thread thread;
    public final long tid;
    /** The stuck read's result. */
    public final CompletableFuture<Integer> result = new CompletableFuture<>();

    private StuckReader(Thread thread, long tid) {
        this.thread = thread;
        this.tid = tid;
    }

    /** Starts the reader on {@code end} and returns once it sleeps in read(2). */
    public static StuckReader start(TokenPipeEnd end, String name) throws Exception {
        CompletableFuture<Long> tid = new CompletableFuture<>();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                long self = ThreadContext.current().threadId();
                end.tokenRead(Duration.ZERO); // the first call: the mask is read now, unblocked
                SignalMasks.blockWakeSignal();
                tid.complete(self); // only now: the read(2) the caller waits for is the next one
                result.complete(end.tokenRead());
            } catch (Throwable e) {
                tid.completeExceptionally(e);
                result.completeExceptionally(e);
            } finally {
                SignalMasks.unblockWakeSignal();
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        StuckReader reader = new StuckReader(thread, tid.get(20, TimeUnit.SECONDS));
        result.whenComplete((r, e) -> {
            if (e != null) {
                reader.result.completeExceptionally(e);
            } else {
                reader.result.complete(r);
            }
        });
        NativeThreads.awaitBlockedOnPipe(reader.tid);
        Thread.sleep(20);
        return reader;
    }
}
