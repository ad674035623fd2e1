package io.tokenpipe.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * Makes sure the wake-up signal interrupts a blocked system call instead of killing the process or
 * being restarted: its handler must exist, do nothing, and be installed without SA_RESTART.
 */
final class WakeSignal {
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;

    private WakeSignal() {
    }

    static void prepare(int signal, boolean linux) {
        // struct sigaction: glibc {handler 8, mask 128, flags 4, restorer 8}; macOS {handler 8, mask 4, flags 4}
        int flagsOffset = linux ? 136 : 12;
        int saRestart = linux ? 0x10000000 : 0x2;
        try (Memory action = new Memory(256)) {
            query(signal, action);
            if (action.getLong(0) == SIG_DFL) {
                // Let the JDK install its own no-op handler (the one NIO uses to wake blocked channels).
                try {
                    Class.forName("sun.nio.ch.NativeThread", true, null);
                } catch (Throwable notThisJdk) {
                    // a JDK without it: we install the same kind of handler below
                }
                query(signal, action);
            }
            if (action.getLong(0) == SIG_DFL) {
                // getpid is async-signal-safe, ignores its argument and changes nothing: a no-op handler.
                action.clear();
                action.setLong(0, Pointer.nativeValue(PosixLibc.LIBC.getFunction("getpid")));
                if (PosixLibc.sigaction(signal, Pointer.nativeValue(action), 0) != 0) {
                    throw new IllegalStateException("cannot install a handler for wake-up signal " + signal + ": "
                            + Errno.describe(com.sun.jna.Native.getLastError()));
                }
                query(signal, action);
            }
            long handler = action.getLong(0);
            if (handler == SIG_IGN || handler == SIG_DFL || (action.getInt(flagsOffset) & saRestart) != 0) {
                throw new IllegalStateException("wake-up signal " + signal + " is "
                        + (handler == SIG_IGN ? "ignored" : handler == SIG_DFL ? "unhandled" : "installed with SA_RESTART")
                        + " in this process, so a blocked read could not be woken");
            }
        }
    }

    private static void query(int signal, Memory action) {
        action.clear();
        if (PosixLibc.sigaction(signal, 0, Pointer.nativeValue(action)) != 0) {
            throw new IllegalStateException("cannot query wake-up signal " + signal + ": "
                    + Errno.describe(com.sun.jna.Native.getLastError()));
        }
    }
}
