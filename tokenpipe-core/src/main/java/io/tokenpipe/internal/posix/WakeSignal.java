package io.tokenpipe.internal.posix;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.Libc;
import io.tokenpipe.internal.NativeBuffer;

/**
 * Makes sure the wake-up signal interrupts a blocked system call instead of killing the process or
 * being restarted: its handler must exist, do nothing, and be installed without SA_RESTART.
 */
final class WakeSignal {
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;

    private WakeSignal() {
    }

    static void prepare(Libc libc, int signal, boolean linux) {
        try (NativeBuffer action = NativeBuffer.allocate(256)) {
            query(libc, signal, action);
            if (action.getLong(0) == SIG_DFL) {
                // Let the JDK install its own no-op handler (the one NIO uses to wake blocked channels).
                try {
                    Class.forName("sun.nio.ch.NativeThread", true, null);
                } catch (Throwable notThisJdk) {
                    // a JDK without it: we install the same kind of handler below
                }
                query(libc, signal, action);
            }
            if (action.getLong(0) == SIG_DFL) {
                // getpid is async-signal-safe, ignores its argument and changes nothing: a no-op handler.
                action.clear();
                action.putLong(0, libc.functionAddress("getpid"));
                if (libc.sigaction(signal, action.address(), 0) != 0) {
                    throw new IllegalStateException("cannot install a handler for wake-up signal " + signal + ": "
                            + Errno.describe(libc.errno()));
                }
                query(libc, signal, action);
            }
            String problem = describe(action, linux);
            if (problem != null) {
                throw new IllegalStateException("wake-up signal " + signal + " is " + problem
                        + " in this process, so a blocked read could not be woken");
            }
        }
    }

    /**
     * What is wrong with the wake-up signal's disposition now ("ignored", "unhandled", "installed with SA_RESTART"),
     * or null when a blocked system call can still be woken by it: some other code may have changed it since
     * {@link #prepare}.
     */
    static String problem(Libc libc, int signal, boolean linux) {
        try (NativeBuffer action = NativeBuffer.allocate(256)) {
            query(libc, signal, action);
            return describe(action, linux);
        } catch (IllegalStateException cannotQuery) {
            return null;
        }
    }

    private static String describe(NativeBuffer action, boolean linux) {
        // struct sigaction: glibc on x86-64 and aarch64 {handler 8, sa_mask 128, sa_flags 4, restorer 8}
        // (bits/sigaction.h); macOS {handler 8, sa_mask 4, sa_flags 4} (sys/signal.h). SA_RESTART: 0x10000000 on
        // Linux (asm-generic/signal.h), 0x2 on macOS.
        int flagsOffset = linux ? 136 : 12;
        int saRestart = linux ? 0x10000000 : 0x2;
        long handler = action.getLong(0);
        if (handler == SIG_IGN) {
            return "ignored";
        }
        if (handler == SIG_DFL) {
            return "unhandled";
        }
        return (action.getInt(flagsOffset) & saRestart) != 0 ? "installed with SA_RESTART" : null;
    }

    private static void query(Libc libc, int signal, NativeBuffer action) {
        action.clear();
        if (libc.sigaction(signal, 0, action.address()) != 0) {
            throw new IllegalStateException("cannot query wake-up signal " + signal + ": "
                    + Errno.describe(libc.errno()));
        }
    }
}
