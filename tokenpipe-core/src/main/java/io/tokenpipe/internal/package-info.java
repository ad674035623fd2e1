/**
 * Not API. The platform-free machinery of token pipes: the descriptor state machine ({@link
 * io.tokenpipe.internal.FdHandle}), per-thread call records ({@link io.tokenpipe.internal.ThreadContext}), the
 * thread that serves timeouts and interrupts ({@link io.tokenpipe.internal.Waker}), the leak guard, and the seams
 * to the operating system: {@link io.tokenpipe.internal.NativeIo} (what a platform offers: {@code posix},
 * {@code windows}) written over the C functions of one {@link io.tokenpipe.internal.Backend} ({@link
 * io.tokenpipe.internal.Libc}, {@link io.tokenpipe.internal.Msvcrt}), which is JNA ({@code jna}) or
 * java.lang.foreign ({@code ffm}, Java 22+, in the multi-release part of the jar). Nothing in this package
 * imports JNA or java.lang.foreign.
 */
package io.tokenpipe.internal;
