package io.tokenpipe.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import io.tokenpipe.TokenPipe;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Makes token pipes for the application and keeps track of them, so that nothing is left open when the
 * application context closes.
 *
 * <p>A pipe from {@link #create(String)} is tracked, and so are the ends taken from it, until they are closed
 * or handed to a child process. {@link #close()} (called by Spring when the context closes) closes every end
 * still open, logs once at WARN the names of the pipes the application left open, and refuses new pipes.
 *
 * <p>Creating the factory loads nothing native: the native layer is loaded by the first {@code create}.
 *
 * <p>Thread safety: every method may be called from any thread. Memory: pipes whose ends are all closed are
 * forgotten (on {@code create} and on every state read), so at most {@code maxOpenPipes} pipes are ever held.
 */
public class TokenPipeFactory implements AutoCloseable {

    private static final Log logger = LogFactory.getLog(TokenPipeFactory.class);

    /** Forget closed pipes when this many are tracked, or twice as many as were open after the last pass. */
    private static final int MIN_PRUNE_THRESHOLD = 64;

    /** How many distinct names the shutdown warning lists before it says "and N more names". */
    private static final int MAX_NAMES_LOGGED = 20;

    private final int maxOpenPipes;

    private final Object lock = new Object();

    /** Guarded by {@link #lock}; in creation order. */
    private final List<TrackedPipe> tracked = new ArrayList<>();

    private final AtomicLong sequence = new AtomicLong();

    /** Guarded by {@link #lock}. */
    private int pruneThreshold = MIN_PRUNE_THRESHOLD;

    /** Guarded by {@link #lock}. */
    private boolean closed;

    private volatile long created;

    private volatile long failed;

    private volatile long rejected;

    private volatile boolean failing;

    private volatile @Nullable String lastFailure;

    /**
     * Creates a factory; loads nothing native.
     * @param maxOpenPipes how many pipes may be open at once, 1 or more
     * @throws IllegalArgumentException if {@code maxOpenPipes} is less than 1
     */
    public TokenPipeFactory(int maxOpenPipes) {
        if (maxOpenPipes < 1) {
            throw new IllegalArgumentException("maxOpenPipes " + maxOpenPipes + " must be 1 or more");
        }
        this.maxOpenPipes = maxOpenPipes;
    }

    /**
     * Makes a pipe named {@code tokenpipe-N} (N counting up from 1), tracked by this factory.
     * @return the pipe, both ends open and close-on-exec
     * @throws TokenPipeCreationException as {@link #create(String)}
     * @throws IllegalStateException if this factory is closed
     */
    public TokenPipe create() {
        return create("tokenpipe-" + this.sequence.incrementAndGet());
    }

    /**
     * Makes a pipe, tracked by this factory under {@code name} (shown by the {@code tokenpipes} endpoint and in
     * the shutdown warning; names need not be unique).
     * @param name what the pipe is for, e.g. "worker-ready"
     * @return the pipe, both ends open and close-on-exec
     * @throws TokenPipeCreationException naming the cause when the operating system refuses (errno text, e.g.
     * "EMFILE (Too many open files)"), when this platform cannot make token pipes, or when
     * {@code tokenpipe.max-open-pipes} pipes are already open
     * @throws IllegalStateException if this factory is closed (the context is shutting down)
     * @throws NullPointerException if {@code name} is null
     */
    public TokenPipe create(String name) {
        Objects.requireNonNull(name, "name");
        synchronized (this.lock) {
            if (this.closed) {
                throw new IllegalStateException("Cannot create token pipe '" + name
                        + "': the TokenPipeFactory is closed (the application context is shutting down)");
            }
            if (this.tracked.size() >= Math.min(this.pruneThreshold, this.maxOpenPipes)) {
                prune();
            }
            if (this.tracked.size() >= this.maxOpenPipes) {
                this.rejected++;
                throw new TokenPipeCreationException("Cannot create token pipe '" + name + "': " + this.maxOpenPipes
                        + " token pipes are open, the limit set by tokenpipe.max-open-pipes=" + this.maxOpenPipes
                        + "; close pipes that are no longer needed or raise the limit", 0, true);
            }
            Optional<TokenPipe> made = TokenPipe.make();
            if (made.isEmpty()) {
                String cause = TokenPipe.lastMakeFailure().orElse("pipe() failed");
                this.failed++;
                this.failing = true;
                this.lastFailure = cause;
                throw new TokenPipeCreationException("Cannot create token pipe '" + name + "': " + cause,
                        TokenPipe.lastMakeErrno(), false);
            }
            TokenPipe pipe = made.get();
            this.failing = false;
            this.created++;
            this.tracked.add(new TrackedPipe(name, pipe));
            return pipe;
        }
    }

    /**
     * The factory's state now, for health and metrics. Forgets the pipes whose ends are all closed.
     * @return counts, the limit and the last failure; never null
     */
    public Snapshot snapshot() {
        synchronized (this.lock) {
            prune();
            int openPipes = 0;
            int openEnds = 0;
            for (TrackedPipe pipe : this.tracked) {
                int ends = pipe.openEnds();
                openEnds += ends;
                openPipes += (ends > 0) ? 1 : 0;
            }
            long createdNow = this.created;
            return new Snapshot(openPipes, openEnds, createdNow, createdNow - openPipes, this.failed, this.rejected,
                    this.maxOpenPipes, this.failing, this.lastFailure);
        }
    }

    /**
     * The pipes with at least one end open, oldest first. Forgets the pipes whose ends are all closed.
     * @return one entry per open pipe; empty when none is open or the factory is closed
     */
    public List<OpenPipe> openPipes() {
        long now = System.nanoTime();
        List<OpenPipe> result = new ArrayList<>();
        synchronized (this.lock) {
            prune();
            for (TrackedPipe pipe : this.tracked) {
                boolean readOpen = pipe.pipe.isReadEndOpen();
                boolean writeOpen = pipe.pipe.isWriteEndOpen();
                if (readOpen || writeOpen) {
                    result.add(new OpenPipe(pipe.name, Duration.ofNanos(now - pipe.createdNanos), readOpen, writeOpen));
                }
            }
        }
        return result;
    }

    /**
     * Whether {@link #close()} was called.
     * @return true once the factory is closed and refuses new pipes
     */
    public boolean isClosed() {
        synchronized (this.lock) {
            return this.closed;
        }
    }

    /**
     * Closes every end of every tracked pipe that is still open (taken or not; ends handed to a child process
     * are already closed), logs once at WARN the names of the pipes that were left open, and from then on
     * refuses new pipes. Idempotent; safe from any thread: calls blocked on a closed end return TS_ERR.
     */
    @Override
    public void close() {
        List<TrackedPipe> toClose;
        synchronized (this.lock) {
            if (this.closed) {
                return;
            }
            this.closed = true;
            toClose = new ArrayList<>(this.tracked);
            this.tracked.clear();
        }
        List<String> leftOpen = new ArrayList<>();
        for (TrackedPipe pipe : toClose) {
            if (pipe.openEnds() > 0) {
                leftOpen.add(pipe.name);
            }
            pipe.pipe.closeAllEnds();
        }
        if (!leftOpen.isEmpty()) {
            logger.warn("Closed " + leftOpen.size() + " token pipe(s) the application left open: "
                    + describe(leftOpen));
        }
    }

    /** How many pipes the factory holds on to now (open, or closed and not yet forgotten); for tests. */
    int trackedPipes() {
        synchronized (this.lock) {
            return this.tracked.size();
        }
    }

    /** "a, b, worker (3 pipes)": names in first-seen order, repeated names counted, at most 20 listed. */
    private static String describe(List<String> names) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String name : names) {
            counts.merge(name, 1, Integer::sum);
        }
        StringBuilder text = new StringBuilder();
        int listed = 0;
        for (Map.Entry<String, Integer> entry : counts.entrySet()) {
            if (listed == MAX_NAMES_LOGGED) {
                text.append(" and ").append(counts.size() - listed).append(" more names");
                break;
            }
            text.append((listed > 0) ? ", " : "").append(entry.getKey());
            if (entry.getValue() > 1) {
                text.append(" (").append(entry.getValue()).append(" pipes)");
            }
            listed++;
        }
        return text.toString();
    }

    /** Forgets pipes whose ends are all closed. Caller holds {@link #lock}. */
    private void prune() {
        for (Iterator<TrackedPipe> it = this.tracked.iterator(); it.hasNext();) {
            if (it.next().openEnds() == 0) {
                it.remove();
            }
        }
        this.pruneThreshold = Math.max(MIN_PRUNE_THRESHOLD, 2 * this.tracked.size());
    }

    /** A pipe made by the factory (its ends taken or not), its name, and when it was made. */
    private static final class TrackedPipe {

        final String name;

        final TokenPipe pipe;

        final long createdNanos = System.nanoTime();

        TrackedPipe(String name, TokenPipe pipe) {
            this.name = name;
            this.pipe = pipe;
        }

        int openEnds() {
            return (this.pipe.isReadEndOpen() ? 1 : 0) + (this.pipe.isWriteEndOpen() ? 1 : 0);
        }

    }

    /**
     * The factory's state at one moment.
     * @param openPipes pipes with at least one end open
     * @param openEnds ends still open, taken or not (0 to 2 per pipe)
     * @param created pipes made since the factory was created
     * @param closed pipes made whose ends are all closed or handed to a child process
     * @param failed {@code create} calls the operating system (or an unsupported platform) refused
     * @param rejected {@code create} calls refused because {@code maxOpenPipes} pipes were open
     * @param maxOpenPipes the limit on open pipes
     * @param failing whether the most recent attempt to make a pipe was refused by the operating system
     * @param lastFailure why the most recent refused attempt failed ("pipe() failed: EMFILE (Too many open
     * files)"), or null if none was refused
     */
    public record Snapshot(int openPipes, int openEnds, long created, long closed, long failed, long rejected,
            int maxOpenPipes, boolean failing, @Nullable String lastFailure) {

        /**
         * Whether the limit on open pipes is reached.
         * @return true when the next {@code create} would be refused for the limit
         */
        public boolean limitReached() {
            return this.openPipes >= this.maxOpenPipes;
        }

    }

    /**
     * A pipe with at least one end open.
     * @param name the name given to {@code create}
     * @param age how long ago it was made
     * @param readEndOpen whether its read end is open (taken or not)
     * @param writeEndOpen whether its write end is open (taken or not)
     */
    public record OpenPipe(String name, Duration age, boolean readEndOpen, boolean writeEndOpen) {
    }

}
