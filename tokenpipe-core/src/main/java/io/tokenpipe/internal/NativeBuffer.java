package io.tokenpipe.internal;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Native memory for the structs and strings handed to C ({@link Libc}): a zeroed direct buffer in native byte
 * order and its address, the same for every backend. The garbage collector frees it; {@link #close()} marks the
 * point up to which it must stay allocated, so use it in try-with-resources around every call that reads it
 * (a C function only sees the address, which does not keep the buffer reachable).
 *
 * <p>Not for the token path, which uses the per-thread buffer of {@link ThreadContext} and allocates nothing.
 */
public final class NativeBuffer implements AutoCloseable {
    private final ByteBuffer buffer;
    private final long address;

    private NativeBuffer(int size) {
        buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        address = Backends.current().address(buffer);
    }

    /** {@code size} zeroed bytes. */
    public static NativeBuffer allocate(int size) {
        return new NativeBuffer(size);
    }

    /** A NUL-terminated copy of {@code bytes} (which must contain no NUL). */
    public static NativeBuffer cString(byte[] bytes) {
        NativeBuffer string = new NativeBuffer(bytes.length + 1);
        string.buffer.put(0, bytes, 0, bytes.length);
        return string;
    }

    /** The address of byte 0. */
    public long address() {
        return address;
    }

    public int size() {
        return buffer.capacity();
    }

    public int getInt(int offset) {
        return buffer.getInt(offset);
    }

    public short getShort(int offset) {
        return buffer.getShort(offset);
    }

    public long getLong(int offset) {
        return buffer.getLong(offset);
    }

    public NativeBuffer putInt(int offset, int value) {
        buffer.putInt(offset, value);
        return this;
    }

    public NativeBuffer putShort(int offset, short value) {
        buffer.putShort(offset, value);
        return this;
    }

    public NativeBuffer putLong(int offset, long value) {
        buffer.putLong(offset, value);
        return this;
    }

    /** Copies {@code bytes} to {@code offset}. */
    public NativeBuffer put(int offset, byte[] bytes) {
        buffer.put(offset, bytes, 0, bytes.length);
        return this;
    }

    /** Sets {@code length} bytes from {@code offset} to {@code value}. */
    public NativeBuffer fill(int offset, int length, byte value) {
        for (int i = offset; i < offset + length; i++) {
            buffer.put(i, value);
        }
        return this;
    }

    /** Sets every byte to 0. */
    public NativeBuffer clear() {
        return fill(0, buffer.capacity(), (byte) 0);
    }

    /** Keeps the memory allocated up to this point; the memory itself is freed later by the garbage collector. */
    @Override
    public void close() {
        Reference.reachabilityFence(buffer);
    }
}
