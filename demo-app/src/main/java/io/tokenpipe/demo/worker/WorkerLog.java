package io.tokenpipe.demo.worker;

import java.io.PrintStream;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The worker's log lines, on standard output, in the same layout as the application's console log, so that
 * the two interleave readably in one terminal or log file. The worker loads no logging framework: it is a
 * plain JVM that must start fast.
 */
final class WorkerLog {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

    private static final long PID = ProcessHandle.current().pid();

    private WorkerLog() {
    }

    /** Prints one INFO line. */
    static void info(String message) {
        print(System.out, " INFO", message);
    }

    /** Prints one ERROR line. */
    static void error(String message) {
        print(System.out, "ERROR", message);
    }

    private static void print(PrintStream out, String level, String message) {
        String thread = Thread.currentThread().getName();
        if (thread.length() > 15) {
            thread = thread.substring(thread.length() - 15);
        }
        // println on System.out flushes, so lines appear as they happen, also when the output is a file.
        out.println(String.format("%s %s %d --- [demo-worker] [%15s] %-40s : %s", TIME.format(OffsetDateTime.now()),
                level, PID, thread, "i.t.demo.worker.WorkerMain", message));
    }

}
