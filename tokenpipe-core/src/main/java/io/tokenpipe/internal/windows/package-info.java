/** Not API. Windows through msvcrt and kernel32 ({@link io.tokenpipe.internal.Msvcrt}): compiled, never run. */
package io.tokenpipe.internal.windows;
