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
    /** The reader thread's per-thread record, for tests of how it is found out. */
    public final ThreadContext context;
    /** The stuck read's result. */
    public final CompletableFuture<Integer> result = new CompletableFuture<>();

    private StuckReader(Thread thread, ThreadContext context) {
        this.thread = thread;
        this.context = context;
        this.tid = context.threadId();
    }

    /** Starts the reader on {@code end} and returns once it sleeps in read(2). */
    public static StuckReader start(TokenPipeEnd end, String name) throws Exception {
        CompletableFuture<ThreadContext> started = new CompletableFuture<>();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                ThreadContext self = ThreadContext.current();
                end.tokenRead(Duration.ZERO); // the first call: the mask is read now, unblocked
                SignalMasks.blockWakeSignal();
                started.complete(self); // only now: the read(2) the caller waits for is the next one
                result.complete(end.tokenRead());
            } catch (Throwable e) {
                started.completeExceptionally(e);
                result.completeExceptionally(e);
            } finally {
                SignalMasks.unblockWakeSignal();
            }
        }, name);
        thread.setDaemon(true);
        thread.start();
        StuckReader reader = new StuckReader(thread, started.get(20, TimeUnit.SECONDS));
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
