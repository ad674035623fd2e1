package io.tokenpipe.demo;

/** Where the background worker process is in its life, as {@code GET /worker} shows it. */
public enum WorkerState {

    /** Not started yet (the application context is still starting). */
    NOT_STARTED,

    /** Started and preparing; the application is not ready yet. */
    PREPARING,

    /** Signalled readiness (token 1) and serves in the background. */
    READY,

    /**
     * Did not become ready: token 0, end of stream (it died) or timeout, or it exited after its token but before
     * the application was ready; start-up fails.
     */
    FAILED,

    /** Exited on its own after it was ready; the application stops accepting traffic. */
    EXITED,

    /** Stopped by the application at shutdown. */
    STOPPED

}
