package io.tokenpipe.bench;

/** Starts the daemon helper thread of a two-thread benchmark. */
final class Echo {
    private Echo() {
    }

    static Thread start(Runnable body) {
        Thread thread = new Thread(body, "bench-helper");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
