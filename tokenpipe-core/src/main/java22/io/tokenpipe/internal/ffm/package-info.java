/**
 * Not API. The FFM backend: {@link io.tokenpipe.internal.Libc} and {@link io.tokenpipe.internal.Msvcrt} through
 * java.lang.foreign downcalls. Compiled for Java 22 (from {@code src/main/java22}) into
 * {@code META-INF/versions/22} of tokenpipe-core's multi-release jar: the only package that imports
 * {@code java.lang.foreign}, loaded only when this backend is chosen (Java 22 and later, unless
 * {@code -Dtokenpipe.native=jna}).
 */
package io.tokenpipe.internal.ffm;
