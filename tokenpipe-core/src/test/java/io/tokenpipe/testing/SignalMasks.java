package io.tokenpipe.testing;

import com.sun.jna.Callback;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Threads that block tokenpipe's wake-up signal (Linux: SIGRTMAX-2, the JDK NIO's signal) the way real code does:
 * a Java thread calling pthread_sigmask, and a thread made by native code (pthread_create, then attached to the
 * JVM by JNA as it calls back into Java), which keeps the mask it was created with.
 */
public final class SignalMasks {
    private static final int SIG_BLOCK = 0;
    private static final int SIG_UNBLOCK = 1;
    /** Callbacks of native threads that have not finished, kept reachable while native code may call them. */
    private static final ConcurrentHashMap<StartRoutine, Boolean> RUNNING = new ConcurrentHashMap<>();

    static {
        Native.register(SignalMasks.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private SignalMasks() {
    }

    private static native int pthread_sigmask(int how, Pointer set, Pointer oldset);

    private static native int __libc_current_sigrtmax();

    private static native int pthread_create(Pointer thread, Pointer attr, StartRoutine start, Pointer arg);

    private static native int pthread_detach(long thread);

    private static native long syscall(long number);

    private static native int sigtimedwait(Pointer set, Pointer info, Pointer timeout);

    /** void *(*start_routine)(void *) */
    public interface StartRoutine extends Callback {
        Pointer invoke(Pointer arg);
    }

    /** The wake-up signal tokenpipe uses on Linux. */
    public static int wakeSignal() {
        return __libc_current_sigrtmax() - 2;
    }

    /** Blocks the wake-up signal in the calling thread's mask. */
    public static void blockWakeSignal() {
        change(SIG_BLOCK);
    }

    /** Unblocks the wake-up signal in the calling thread's mask. */
    public static void unblockWakeSignal() {
        change(SIG_UNBLOCK);
    }

    private static Memory wakeSet() {
        Memory set = new Memory(128);
        set.clear();
        int bit = wakeSignal() - 1; // glibc sigset_t: bit (signo - 1) of an array of unsigned longs
        set.setByte(bit / 8, (byte) (1 << (bit % 8)));
        return set;
    }

    /**
     * Takes every instance of the wake-up signal queued at the calling thread (sigtimedwait with a zero timeout,
     * one instance per call: real-time signals queue) and returns how many there were. Call it while the signal is
     * still blocked, or they are delivered to the handler instead.
     */
    public static int drainWakeSignals() {
        Memory set = wakeSet();
        Memory info = new Memory(128); // siginfo_t
        Memory zero = new Memory(16); // struct timespec {0, 0}
        zero.clear();
        int taken = 0;
        while (sigtimedwait(set, info, zero) == wakeSignal()) {
            taken++;
        }
        return taken;
    }

    /** Whether the wake-up signal is pending at thread {@code tid} of this process (/proc SigPnd, its own set). */
    public static boolean wakeSignalPending(long tid) {
        String pending = taskStatus(tid, "SigPnd");
        return pending != null && new BigInteger(pending, 16).testBit(wakeSignal() - 1);
    }

    private static void change(int how) {
        int error = pthread_sigmask(how, wakeSet(), null);
        if (error != 0) {
            throw new IllegalStateException("pthread_sigmask failed: " + error);
        }
    }

    /** The calling thread's Linux tid. */
    public static long currentTid() {
        return syscall(186); // gettid on x86-64
    }

    /** Whether thread {@code tid} of this process has the wake-up signal in its mask (/proc SigBlk). */
    public static boolean blocksWakeSignal(long tid) {
        String mask = taskStatus(tid, "SigBlk");
        if (mask == null) {
            throw new IllegalStateException("thread " + tid + " is gone");
        }
        return new BigInteger(mask, 16).testBit(wakeSignal() - 1);
    }

    /** How many signals are queued for this process's real user (first number of /proc SigQ). */
    public static long queuedSignals() {
        String sigQ = Processes.status(ProcessHandle.current().pid(), "SigQ");
        return Long.parseLong(sigQ.substring(0, sigQ.indexOf('/')));
    }

    private static String taskStatus(long tid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
                if (line.startsWith(name + ":")) {
                    return line.substring(name.length() + 1).trim();
                }
            }
        } catch (IOException gone) {
            // the thread ended
        }
        return null;
    }

    /**
     * Runs {@code body} on a thread created by pthread_create with the wake-up signal blocked in its mask (it
     * inherits the mask of the thread that creates it, which blocks the signal just for the pthread_create).
     * JNA attaches the thread to the JVM for the callback. The future completes when {@code body} has returned.
     */
    public static CompletableFuture<Void> startNativeThreadBlockingWakeSignal(Runnable body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        StartRoutine[] self = new StartRoutine[1];
        StartRoutine routine = arg -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable e) {
                done.completeExceptionally(e);
            } finally {
                RUNNING.remove(self[0]);
            }
            return null;
        };
        self[0] = routine;
        RUNNING.put(routine, Boolean.TRUE);
        Memory thread = new Memory(8);
        blockWakeSignal();
        int error;
        try {
            error = pthread_create(thread, null, routine, null);
        } finally {
            unblockWakeSignal();
        }
        if (error != 0) {
            RUNNING.remove(routine);
            throw new IllegalStateException("pthread_create failed: " + error);
        }
        pthread_detach(thread.getLong(0));
        return done;
    }

    /** Waits for a native thread's body, failing the test with what it threw. */
    public static void join(CompletableFuture<Void> done, long seconds) throws Exception {
        done.get(seconds, TimeUnit.SECONDS);
    }
}
