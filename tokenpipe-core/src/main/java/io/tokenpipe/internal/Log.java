package io.tokenpipe.internal;

/**
 * tokenpipe's logger ("io.tokenpipe"), looked up at the first message. {@code System.getLogger} finds the logging
 * backend when it is called: a ServiceLoader scan of the class path and the start of java.util.logging, 15-20 ms in
 * a fresh JVM that has not logged yet, which a first {@code make()} that logs nothing need not pay.
 */
public final class Log {
    private Log() {
    }

    public static System.Logger get() {
        return Holder.LOGGER;
    }

    private static final class Holder {
        static final System.Logger LOGGER = System.getLogger("io.tokenpipe");
    }
}
