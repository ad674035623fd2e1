/**
 * Not API. The JNA backend: {@link io.tokenpipe.internal.Libc} and {@link io.tokenpipe.internal.Msvcrt} through JNA
 * direct mapping. The only package that imports {@code com.sun.jna}; its classes are loaded only when this
 * backend is chosen (Java 17-21, or {@code -Dtokenpipe.native=jna}).
 */
package io.tokenpipe.internal.jna;
