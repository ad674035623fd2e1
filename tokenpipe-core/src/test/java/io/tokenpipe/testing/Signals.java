package io.tokenpipe.testing;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import io.tokenpipe.internal.posix.LinuxSyscalls;

/** Real signals for fault tests: process-directed kill(2), and tgkill(2) at one thread of a process. */
public final class Signals {
    public static final int SIGCONT = 18;
    /** 19 on x86-64 and aarch64 (asm-generic/signal.h), the only Linux platforms tested here. */
    public static final int SIGSTOP = 19;
    public static final int SIGWINCH = 28;

    static {
        Native.register(Signals.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Signals() {
    }

    private static native int kill(int pid, int sig);

    private static native int getpid();

    /** syscall(2) with the three arguments of tgkill; fixed arguments are right for it on x86-64 and aarch64. */
    private static native long syscall(long number, long tgid, long tid, long sig);

    /** Sends {@code signal} to this whole process (any thread may take it). */
    public static void toThisProcess(int signal) {
        if (kill(getpid(), signal) != 0) {
            throw new IllegalStateException("kill(" + signal + ") failed: errno " + Native.getLastError());
        }
    }

    /** Sends {@code signal} to process {@code pid} (kill(2)). */
    public static void toProcess(long pid, int signal) {
        if (kill((int) pid, signal) != 0) {
            throw new IllegalStateException("kill(" + pid + ", " + signal + ") failed: errno " + Native.getLastError());
        }
    }

    /** Sends {@code signal} to thread {@code tid} of process {@code pid} only (tgkill(2)); Linux. */
    public static void toThread(long pid, long tid, int signal) {
        if (syscall(LinuxSyscalls.TGKILL, pid, tid, signal) != 0) {
            throw new IllegalStateException("tgkill(" + pid + ", " + tid + ", " + signal + ") failed: errno "
                    + Native.getLastError());
        }
    }
}
