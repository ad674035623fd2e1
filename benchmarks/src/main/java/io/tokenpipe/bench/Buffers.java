package io.tokenpipe.bench;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Direct buffers for the raw JNA and nio benchmarks. */
final class Buffers {
    private Buffers() {
    }

    static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /** The address of a direct buffer through java.lang.foreign (Java 22+), so that FFM runs never load JNA. */
    static long ffmAddress(ByteBuffer direct) {
        try {
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            Object view = segment.getMethod("ofBuffer", java.nio.Buffer.class).invoke(null, direct);
            return (long) segment.getMethod("address").invoke(view);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("java.lang.foreign needs Java 22: " + e, e);
        }
    }

    /** Fails the benchmark loudly instead of timing a call that did not do its job. */
    static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}
