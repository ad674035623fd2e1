package io.tokenpipe.testing;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * A signal handler that runs for a while with every signal blocked, as HotSpot's own handlers do (their sa_mask is
 * full), and as glibc blocks every signal around posix_spawn's clone and pthread_create: while a thread is inside
 * it, its mask (SigBlk in /proc) shows tokenpipe's wake-up signal, although the thread never blocked it. The handler
 * is the C library's usleep, so a thread spends {@code signal} microseconds in it (x86-64 and aarch64 pass the
 * signal number where usleep takes its one argument; glibc's usleep is a nanosleep). Installed with SA_RESTART: a
 * read(2) it interrupts is restarted by the kernel, so nothing but the mask is changed for the thread. Linux only.
 */
public final class MaskingHandler implements AutoCloseable {
    private static final int SA_RESTART = 0x10000000;
    /** glibc's struct sigaction on x86-64 and aarch64: handler (8), sa_mask (128), sa_flags (4), restorer (8). */
    private static final int SIGACTION_SIZE = 152;
    private static final int MASK_OFFSET = 8;
    private static final int FLAGS_OFFSET = 136;

    private final int signal;
    private final Memory previous = new Memory(SIGACTION_SIZE);
    private final int pid = getpid();

    static {
        Native.register(MaskingHandler.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private MaskingHandler(int signal) {
        this.signal = signal;
        Memory action = new Memory(SIGACTION_SIZE);
        action.clear();
        action.setPointer(0, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("usleep"));
        for (int i = 0; i < 128; i++) {
            action.setByte(MASK_OFFSET + i, (byte) 0xff); // every signal blocked while it runs
        }
        action.setInt(FLAGS_OFFSET, SA_RESTART);
        previous.clear();
        if (sigaction(signal, action, previous) != 0) {
            throw new IllegalStateException("sigaction(" + signal + ") failed: errno " + Native.getLastError());
        }
    }

    /** Installs the handler for real-time signal {@code SIGRTMAX - below} (a thread stays that many microseconds). */
    public static MaskingHandler install(int below) {
        return new MaskingHandler(__libc_current_sigrtmax() - below);
    }

    /** How long a thread stays inside the handler, in microseconds. */
    public int micros() {
        return signal;
    }

    /** Sends the signal to thread {@code tid} of this process. */
    public void send(long tid) {
        syscall(234 /* tgkill on x86-64 */, pid, tid, signal);
    }

    /** Puts back the disposition the signal had (none of the JVM's code uses it). */
    @Override
    public void close() {
        sigaction(signal, previous, null);
    }

    private static native int sigaction(int signal, Pointer action, Pointer oldAction);

    private static native int __libc_current_sigrtmax();

    private static native int getpid();

    private static native long syscall(long number, long a, long b, long c);
}
