package io.tokenpipe.testing;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/** Real signals for fault tests: process-directed kill(2) at this JVM. */
public final class Signals {
    public static final int SIGCONT = 18;
    public static final int SIGWINCH = 28;

    static {
        Native.register(Signals.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Signals() {
    }

    private static native int kill(int pid, int sig);

    private static native int getpid();

    /** Sends {@code signal} to this whole process (any thread may take it). */
    public static void toThisProcess(int signal) {
        if (kill(getpid(), signal) != 0) {
            throw new IllegalStateException("kill(" + signal + ") failed: errno " + Native.getLastError());
        }
    }
}
