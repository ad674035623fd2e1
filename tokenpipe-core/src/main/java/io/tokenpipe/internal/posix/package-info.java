/**
 * Not API. Linux and macOS: pipes, blocking reads woken by a thread-directed signal, adopt checks, written once
 * over {@link io.tokenpipe.internal.Libc} for every backend.
 */
package io.tokenpipe.internal.posix;
