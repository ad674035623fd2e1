package io.tokenpipe;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.NativeIo;
import java.util.Optional;

/**
 * What this JVM's platform can do for token pipes: whether the native layer loads, why not, which backend
 * serves it, and errno numbers as text. For diagnostics (a health check, a start-up error message); the token
 * path never needs it.
 *
 * <pre>{@code
 * if (!TokenPipePlatform.isAvailable()) {
 *     log.warn("no token pipes here: " + TokenPipePlatform.unavailableReason().orElseThrow());
 * }
 * }</pre>
 *
 * <p>Thread safety: every method may be called from any thread.
 */
public final class TokenPipePlatform {

    private TokenPipePlatform() {
    }

    /**
     * Whether this JVM can make token pipes. The first call (of this method or of anything else that needs the
     * native layer, such as {@link TokenPipe#make()}) loads the native layer; the answer never changes after that.
     *
     * @return true when the native layer loaded; false on an unsupported platform, or when the native code could
     *         not be loaded (see {@link #unavailableReason()})
     */
    public static boolean isAvailable() {
        return NativeIo.get() != null;
    }

    /**
     * Why this JVM cannot make token pipes, in the words of the failure that stopped the native layer from
     * loading (for example JNA's "Could not find JNA native support", or an unsupported operating system).
     * Loads the native layer on the first call, as {@link #isAvailable()} does.
     *
     * @return the reason; empty when token pipes are available
     */
    public static Optional<String> unavailableReason() {
        return isAvailable() ? Optional.empty() : Optional.ofNullable(NativeIo.unavailableReason());
    }

    /**
     * The native backend in use. Loads the native layer on the first call, as {@link #isAvailable()} does.
     *
     * @return "ffm" (java.lang.foreign, the default on Java 22 and later), "jna" (JNA direct mapping: Java 17-21,
     *         or {@code -Dtokenpipe.native=jna}), or "none" when token pipes are not available
     */
    public static String backend() {
        NativeIo io = NativeIo.get();
        return io != null ? io.backend().name() : "none";
    }

    /**
     * The platform as a line for people, such as {@code "Linux amd64 (libc, FFM (Java 25), wake-up signal 62)"} or
     * {@code "Linux amd64 (libc, JNA 5.19.1, wake-up signal 62)"}: the
     * operating system, the architecture and what the backend uses. No paths, no environment. Loads the native
     * layer on the first call, as {@link #isAvailable()} does.
     *
     * @return the description; {@code "unavailable: "} and the reason when token pipes are not available
     */
    public static String description() {
        NativeIo io = NativeIo.get();
        return io != null ? io.platform() : "unavailable: " + NativeIo.unavailableReason();
    }

    /**
     * The symbolic name of an errno number, such as {@code "EMFILE"} for 24 ({@link TokenPipe#lastMakeErrno()},
     * {@link TokenPipeEnd#lastErrno()}). Loads nothing native.
     *
     * @param errno the number
     * @return the name where it is known (Linux), else {@code "errno N"}
     */
    public static String errnoName(int errno) {
        return Errno.name(errno);
    }

    /**
     * An errno number as its name and the C library's text, such as {@code "EMFILE (Too many open files)"}.
     *
     * @param errno the number
     * @return the name and the text; only the name (as {@link #errnoName(int)}) when the native layer is not
     *         available
     */
    public static String describeErrno(int errno) {
        return Errno.describe(errno);
    }
}
