package io.tokenpipe.internal.jna;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.tokenpipe.internal.Backend;
import io.tokenpipe.internal.Libc;
import io.tokenpipe.internal.Msvcrt;
import java.nio.ByteBuffer;

/** Native calls through JNA direct mapping: the backend on Java 17-21, and on any Java with -Dtokenpipe.native=jna. */
public final class JnaBackend implements Backend {
    private volatile Libc libc;
    private volatile Msvcrt msvcrt;

    /** Loads JNA's own native library (libjnidispatch), which may fail: then no backend exists. */
    public JnaBackend() {
        if (Native.POINTER_SIZE != 8) {
            throw new IllegalStateException("tokenpipe supports 64-bit JVMs only; JNA reports "
                    + Native.POINTER_SIZE + "-byte pointers");
        }
    }

    @Override
    public String name() {
        return "jna";
    }

    @Override
    public String description() {
        return "JNA " + Native.VERSION;
    }

    @Override
    public Libc libc() {
        Libc bound = libc;
        if (bound == null) {
            synchronized (this) {
                if (libc == null) {
                    libc = new JnaLibc();
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
                    msvcrt = new JnaMsvcrt();
                }
                bound = msvcrt;
            }
        }
        return bound;
    }

    @Override
    public long address(ByteBuffer directBuffer) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(directBuffer));
    }

    /** The bytes of the C string at {@code text}, without its NUL; null for NULL (decoded by NativeText). */
    static byte[] cString(Pointer text) {
        return text == null ? null : text.getByteArray(0, (int) text.indexOf(0, (byte) 0));
    }
}
