package io.tokenpipe.internal;

/**
 * tokenpipe's log ("io.tokenpipe"), for the library's own threads and for close(): a message is never worth a thread
 * or a descriptor. So logging never throws: a logging backend that fails (its lookup or its {@code log}) loses the
 * message, and the lookup is tried again at the next one. Building the message is the caller's: where a close, a
 * hand-off or a library thread must go on, the caller builds and logs it inside a try that catches anything
 * (a long thread name can make the text run out of memory).
 *
 * <p>The logger is looked up at the first message, not when the library's classes load: {@code System.getLogger}
 * finds the logging backend when it is called (a ServiceLoader scan of the class path and the start of
 * java.util.logging, 15-20 ms in a fresh JVM that has not logged yet), which a first {@code make()} that logs
 * nothing need not pay.
 */
public final class Log {
    private static volatile System.Logger logger;

    private Log() {
    }

    public static void log(System.Logger.Level level, String message) {
        log(level, message, null);
    }

    public static void log(System.Logger.Level level, String message, Throwable thrown) {
        try {
            System.Logger current = logger;
            if (current == null) {
                current = System.getLogger("io.tokenpipe");
                logger = current;
            }
            if (thrown == null) {
                current.log(level, message);
            } else {
                current.log(level, message, thrown);
            }
        } catch (Throwable failed) {
            // the message is lost; whoever logs goes on (see the class comment)
        }
    }
}
