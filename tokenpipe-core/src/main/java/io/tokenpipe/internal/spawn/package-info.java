/**
 * Not API. Child processes for {@code io.tokenpipe.ChildProcess}: posix_spawn with descriptors handed over at
 * chosen numbers ({@link io.tokenpipe.internal.spawn.ProcessLauncher}), and knowing when a child exits, reaping it
 * and signalling it without pid-reuse races ({@link io.tokenpipe.internal.spawn.ChildWatch}, pidfds through one
 * reaper thread where Linux has them).
 */
package io.tokenpipe.internal.spawn;
