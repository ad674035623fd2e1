package io.tokenpipe.demo.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.TokenPipeEndStatus;
import io.tokenpipe.TokenPipePlatform;

/**
 * The demo's background worker, a plain JVM (no Spring) that the application starts as a child process.
 *
 * <p>It builds an inverted index over generated text in five steps spread over {@code --delay}, logging its
 * progress, then writes token 1 ("ready") into the descriptor named by {@code TOKENPIPE_FD} (fd 3), closes it,
 * and serves as the application's background service: a heartbeat line every 10 seconds, answering a query
 * from its index. With {@code --fail} it writes token 0 ("failed") and exits with code 1; with
 * {@code --crash} it exits with code 3 without writing anything (the application reads end of stream).
 *
 * <p>The lifeline: when {@code DEMO_LIFELINE_FD} names a descriptor (fd 4, the read end of a pipe whose only
 * write end the application holds), a thread blocks reading it. The application never writes to it, so the
 * read returns only when the application is gone - closed the end at shutdown, or died, even of SIGKILL,
 * which runs no code but still makes the kernel close its descriptors. The worker then exits: it never
 * outlives the application.
 *
 * <p>Exit codes: 0 lifeline closed; 1 preparation failed (token 0 written) or the token could not be written;
 * 2 bad usage; 3 crash on purpose; 143 SIGTERM.
 */
public final class WorkerMain {

    /** The environment variable naming the readiness descriptor (the tokenpipe convention: fd 3). */
    public static final String READY_FD_VARIABLE = "TOKENPIPE_FD";

    /** The environment variable naming the lifeline descriptor (fd 4). */
    public static final String LIFELINE_FD_VARIABLE = "DEMO_LIFELINE_FD";

    /** Token written once the index is ready. */
    public static final int TOKEN_READY = 1;

    /** Token written when preparation failed. */
    public static final int TOKEN_FAILED = 0;

    /** Exit code after token 0, or when the ready token could not be written. */
    public static final int EXIT_FAILED = 1;

    /** Exit code for a bad command line or environment. */
    public static final int EXIT_USAGE = 2;

    /** Exit code of {@code --crash}: gone without a token. */
    public static final int EXIT_CRASH = 3;

    static final int DOCUMENTS = 20_000;

    static final int STEPS = 5;

    private static final int STEP_OF_FAILURE = 3;
    /** EPIPE (Linux asm-generic/errno-base.h 32; macOS sys/errno.h 32): the reader closed its end. */
    private static final int EPIPE = 32;

    private static final Duration HEARTBEAT = Duration.ofSeconds(10);

    private WorkerMain() {
    }

    /**
     * The command-line arguments that make the worker behave as asked.
     * @param delay how long preparation takes (zero or more)
     * @param fail whether it reports failure (token 0)
     * @param crash whether it exits with code 3 without a token
     * @return the arguments for {@link #main}
     */
    public static List<String> arguments(Duration delay, boolean fail, boolean crash) {
        List<String> args = new ArrayList<>();
        args.add("--delay=" + delay);
        if (fail) {
            args.add("--fail");
        }
        if (crash) {
            args.add("--crash");
        }
        return args;
    }

    /**
     * Runs the worker: {@code [--delay=<ISO-8601 duration>] [--fail] [--crash]}, with {@code TOKENPIPE_FD} (and
     * optionally {@code DEMO_LIFELINE_FD}) in the environment. Returns only by exiting the JVM.
     */
    public static void main(String[] args) throws InterruptedException {
        Options options;
        TokenPipeEnd ready;
        TokenPipeEnd lifeline;
        try {
            options = Options.parse(args);
            ready = adopt(READY_FD_VARIABLE, true);
            lifeline = adopt(LIFELINE_FD_VARIABLE, false);
        }
        catch (IllegalArgumentException | UnsupportedOperationException ex) {
            WorkerLog.error(ex.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
        if (lifeline != null) {
            watchLifeline(lifeline);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> WorkerLog.info("JVM shutting down"), "shutdown"));
        WorkerLog.info("preparing: building an inverted index over " + DOCUMENTS + " generated documents (delay "
                + format(options.delay) + (options.fail ? ", will fail" : "") + (options.crash ? ", will crash" : "")
                + "); readiness token goes to fd " + System.getenv(READY_FD_VARIABLE)
                + (lifeline != null ? ", lifeline on fd " + System.getenv(LIFELINE_FD_VARIABLE) : ""));
        long start = System.nanoTime();
        Corpus corpus = new Corpus(4000, 60);
        InvertedIndex index = new InvertedIndex();
        int perStep = DOCUMENTS / STEPS;
        for (int step = 1; step <= STEPS; step++) {
            for (int id = (step - 1) * perStep; id < step * perStep; id++) {
                index.add(id, corpus.document(id));
            }
            WorkerLog.info(String.format(Locale.ROOT, "indexed %d/%d documents (%d%%), %d distinct words so far",
                    index.documents(), DOCUMENTS, 100 * step / STEPS, index.distinctWords()));
            if (step == STEP_OF_FAILURE && options.crash) {
                WorkerLog.error("crashing on purpose (demo.worker.crash=true): exit code " + EXIT_CRASH
                        + " without writing a token");
                Runtime.getRuntime().halt(EXIT_CRASH); // like a real crash: no shutdown hooks, no token
            }
            if (step == STEP_OF_FAILURE && options.fail) {
                WorkerLog.error("preparation failed on purpose (demo.worker.fail=true)");
                signal(ready, TOKEN_FAILED);
                System.exit(EXIT_FAILED);
            }
            sleepUntil(start + options.delay.toNanos() * step / STEPS);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String common = index.mostCommonWord();
        WorkerLog.info(String.format(Locale.ROOT, "index ready in %.2f s: %d documents, %d distinct words, %d postings;"
                + " most common word '%s' is in %d documents", seconds, index.documents(), index.distinctWords(),
                index.postings(), common, index.documentsWith(common)));
        if (!signal(ready, TOKEN_READY)) {
            System.exit(EXIT_FAILED);
        }
        WorkerLog.info("serving as the application's background service until it stops the worker (a line every "
                + format(HEARTBEAT) + ")");
        serve(corpus, index);
    }

    /** Writes the token and closes the end; false (logged) if it could not be written. */
    private static boolean signal(TokenPipeEnd ready, int token) {
        // Logged before the write: once the token is written the application acts on it at once.
        WorkerLog.info("writing token " + token + (token == TOKEN_READY ? " (ready)" : " (failed)") + " to fd "
                + System.getenv(READY_FD_VARIABLE) + " and closing it");
        int status = ready.tokenWrite(token);
        int errno = ready.lastErrno();
        ready.close(); // the application reads end of stream after the token, never a hang
        if (status != 0) {
            WorkerLog.error("could not write token " + token + ": " + TokenPipeEndStatus.of(status).map(Enum::name)
                    .orElse(String.valueOf(status)) + " (" + TokenPipePlatform.describeErrno(errno)
                    + (errno == EPIPE ? ": nobody is reading any more)" : ")"));
            return false;
        }
        return true;
    }

    /** The application's background service: it answers one query from the index every heartbeat. */
    private static void serve(Corpus corpus, InvertedIndex index) throws InterruptedException {
        long start = System.nanoTime();
        for (int beat = 1;; beat++) {
            Thread.sleep(HEARTBEAT.toMillis());
            String word = corpus.word(beat * 7);
            WorkerLog.info(String.format(Locale.ROOT, "serving for %d s: '%s' is in %d of %d documents",
                    Math.round((System.nanoTime() - start) / 1e9), word, index.documentsWith(word), index.documents()));
        }
    }

    /** Adopts the descriptor named by {@code variable}; null if it is unset and not required. */
    private static TokenPipeEnd adopt(String variable, boolean required) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            if (required) {
                throw new IllegalArgumentException(variable + " is not set: the worker must be started with the"
                        + " write end of a readiness pipe at a descriptor named by " + variable
                        + " (the demo application does this)");
            }
            return null;
        }
        int fd;
        try {
            fd = Integer.parseInt(value.strip());
        }
        catch (NumberFormatException ex) {
            throw new IllegalArgumentException(variable + "=" + value + " is not a descriptor number");
        }
        return TokenPipeEnd.adopt(fd);
    }

    private static void watchLifeline(TokenPipeEnd lifeline) {
        Thread thread = new Thread(() -> {
            int result = lifeline.tokenRead();
            String what = TokenPipeEndStatus.of(result).map(Enum::name).orElse("token " + result);
            WorkerLog.info("lifeline closed (" + what + "): the application is gone, so the worker exits");
            System.exit(0);
        }, "lifeline");
        thread.setDaemon(true);
        thread.start();
    }

    /** "2s", "1500ms". */
    private static String format(Duration duration) {
        long millis = duration.toMillis();
        return (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            Thread.sleep(Math.max(1, left / 1_000_000), 0);
        }
    }

    /** The command line, checked. */
    private record Options(Duration delay, boolean fail, boolean crash) {

        static Options parse(String[] args) {
            Duration delay = Duration.ZERO;
            boolean fail = false;
            boolean crash = false;
            for (String arg : args) {
                if (arg.startsWith("--delay=")) {
                    String text = arg.substring("--delay=".length());
                    try {
                        delay = Duration.parse(text);
                    }
                    catch (RuntimeException ex) {
                        throw new IllegalArgumentException("--delay=" + text + " is not an ISO-8601 duration such as PT2S");
                    }
                    if (delay.isNegative()) {
                        throw new IllegalArgumentException("--delay=" + text + " is negative");
                    }
                }
                else if (arg.equals("--fail")) {
                    fail = true;
                }
                else if (arg.equals("--crash")) {
                    crash = true;
                }
                else {
                    throw new IllegalArgumentException("unknown argument " + arg
                            + "; usage: WorkerMain [--delay=PT2S] [--fail] [--crash]");
                }
            }
            return new Options(delay, fail, crash);
        }
    }

}
