package io.tokenpipe.bench;

import com.sun.jna.Native;
import io.tokenpipe.internal.ThreadContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.Adler32;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What the pieces of a token call cost on their own, to explain the gaps in the main table: a JNA call
 * with and without a system call, a plain JNI call, and each thing a token call adds that could make the gap
 * (ThreadLocal lookup, the volatile store of the close protocol, Optional, reachabilityFence, errno, a Cleaner
 * registration).
 * C: "getppid" in tokenpipe_ref.c is the bare system call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class PiecesBenchmark {
    private static final VarHandle CALL;
    private static final Cleaner CLEANER = Cleaner.create();
    private static final Runnable NOTHING = () -> { };
    private static final io.tokenpipe.internal.Libc LIBC =
            ((io.tokenpipe.internal.posix.PosixIo) io.tokenpipe.internal.NativeIo.get()).libc();

    static {
        try {
            CALL = MethodHandles.lookup().findVarHandle(PiecesBenchmark.class, "call", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Adler32 adler = new Adler32();
    private final Object handle = new Object();
    private volatile Object call;
    private volatile int state;
    private long value = -5;

    /** JNA direct mapping of labs(3): JNA's own cost per call, caches warm. */
    @Benchmark
    public long jnaCallWithoutSyscall() {
        return RawLibc.labs(value);
    }

    /** getppid(2) through JNA: the same, around a real (tiny) system call. */
    @Benchmark
    public int jnaGetppid() {
        return RawLibc.getppid();
    }

    /** A plain FFM downcall of labs(3), no errno capture (Java 22+): a downcall's own cost. */
    @Benchmark
    public long ffmCallWithoutSyscall() {
        return RawFfm.labs(value);
    }

    /** getppid(2) through a plain FFM downcall (Java 22+). */
    @Benchmark
    public int ffmGetppid() {
        return RawFfm.getppid();
    }

    /** getppid(2) through a critical FFM downcall (Java 22+): what skipping the thread-state transition saves. */
    @Benchmark
    public int ffmGetppidCritical() {
        return RawFfm.getppidCritical();
    }

    /** close(-1), EBADF at once, through a plain FFM downcall without errno capture (Java 22+). */
    @Benchmark
    public int ffmCloseBadFd() {
        return RawFfm.close(-1);
    }

    /**
     * close(-1) through the backend tokenpipe runs on (FFM on Java 22+: errno captured into the thread's segment,
     * found through a ThreadLocal; JNA before): minus ffmCloseBadFd, what errno capture costs per call.
     */
    @Benchmark
    public int backendCloseBadFd() {
        return LIBC.close(-1);
    }

    /** A JDK JNI method that does almost nothing (Adler32 of one byte): a plain JNI call. */
    @Benchmark
    public long jniCallWithoutSyscall() {
        adler.update(7);
        return adler.getValue();
    }

    /** ThreadContext.current(): the ThreadLocal lookup every token call makes. */
    @Benchmark
    public Object threadLocalLookup() {
        return ThreadContext.current();
    }

    /** What FdHandle does around the system call: announce the call, check the state, leave. */
    @Benchmark
    public int enterCheckLeave() {
        call = handle;
        int s = state;
        CALL.setRelease(this, (Object) null);
        return s;
    }

    /** A volatile read, as of the Waker's "parked" flag that every call checks. */
    @Benchmark
    public int volatileRead() {
        return state;
    }

    /** The Optional make() returns, when the caller does not inline it away. */
    @Benchmark
    public Optional<Object> optionalOf() {
        return Optional.of(new Object());
    }

    /** Baseline for optionalOf: only the object. */
    @Benchmark
    public Object newObject() {
        return new Object();
    }

    /** Reference.reachabilityFence, which every token call runs. */
    @Benchmark
    public long reachabilityFence() {
        long v = value;
        Reference.reachabilityFence(this);
        return v;
    }

    /** Native.getLastError: tokenpipe reads errno only when a call failed. */
    @Benchmark
    public int lastError() {
        return Native.getLastError();
    }

    /** What tokenpipe no longer does per end: register with a java.lang.ref.Cleaner, then clean. */
    @Benchmark
    public Object cleanerRegisterAndClean() {
        Object owner = new Object();
        CLEANER.register(owner, NOTHING).clean();
        return owner;
    }
}
