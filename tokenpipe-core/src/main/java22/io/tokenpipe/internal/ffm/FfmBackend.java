package io.tokenpipe.internal.ffm;

import io.tokenpipe.internal.Backend;
import io.tokenpipe.internal.Libc;
import io.tokenpipe.internal.Msvcrt;
import io.tokenpipe.internal.Os;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * Native calls through java.lang.foreign (final in Java 22): the default backend on Java 22 and later, where it
 * loads no native library of its own and no JNA class. Compiled for Java 22 into META-INF/versions/22 of the
 * multi-release jar, so a Java 17 JVM never sees it.
 */
public final class FfmBackend implements Backend {
    private volatile Libc libc;
    private volatile Msvcrt msvcrt;

    /**
     * Binds getpid (which the POSIX platform layer calls first anyway; on Windows, loads msvcrt), so that a JVM that denies this module native
     * access fails here, where {@code Backends} turns it into what to do, and not at some later call.
     *
     * @throws ExceptionInInitializerError caused by IllegalCallerException under
     *         {@code --illegal-native-access=deny} without native access enabled
     */
    public FfmBackend() {
        if (Os.WINDOWS) {
            msvcrt();
        } else {
            FfmLibc.bindFirst();
        }
    }

    @Override
    public String name() {
        return "ffm";
    }

    @Override
    public String description() {
        return "FFM (Java " + Runtime.version().feature() + ")";
    }

    @Override
    public Libc libc() {
        Libc bound = libc;
        if (bound == null) {
            synchronized (this) {
                if (libc == null) {
                    libc = new FfmLibc();
                }
                bound = libc;
            }
        }
        return bound;
    }

    @Override
    public Msvcrt msvcrt() {
        Msvcrt bound = msvcrt;
        if (bound == null) {
            synchronized (this) {
                if (msvcrt == null) {
                    msvcrt = new FfmMsvcrt();
                }
                bound = msvcrt;
            }
        }
        return bound;
    }

    @Override
    public long address(ByteBuffer directBuffer) {
        // ofBuffer's segment starts at the buffer's position; byte 0 is where a duplicate at position 0 starts
        return MemorySegment.ofBuffer(directBuffer.duplicate().position(0)).address();
    }
}
