package io.tokenpipe.internal;

import java.nio.ByteBuffer;

/**
 * One way of calling native code: JNA direct mapping ({@code internal.jna}, Java 17 and later) or
 * java.lang.foreign ({@code internal.ffm}, Java 22 and later, in the multi-release part of the jar). It is the
 * one interface between the platform-free machinery and the code that knows JNA or FFM; {@link Backends} picks
 * one per JVM.
 */
public interface Backend {

    /** "jna" or "ffm": the value of {@code -Dtokenpipe.native} that selects it. */
    String name();

    /** For diagnostics: "JNA 5.19.1", "FFM (Java 25)". */
    String description();

    /** The C library (Linux, macOS); binds it on first use. */
    Libc libc();

    /** The C runtime and kernel32 (Windows); binds them on first use. */
    Msvcrt msvcrt();

    /** The native address of a direct buffer's first byte. */
    long address(ByteBuffer directBuffer);
}
