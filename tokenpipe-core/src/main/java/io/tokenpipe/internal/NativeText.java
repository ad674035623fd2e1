package io.tokenpipe.internal;

import java.nio.charset.Charset;

/**
 * Text the C library gives (strerror): one decoding for every backend, so that JNA and FFM cannot differ. The
 * C library writes it in the codeset of its locale's LC_CTYPE (glibc's gettext converts its catalogues to it), and
 * {@code native.encoding} (Java 17+) is that codeset, nl_langinfo(CODESET), as the JVM found it when it set the
 * locale from the environment at start-up. Not {@code sun.jnu.encoding}: it is the same on Linux, but on macOS it is
 * UTF-8 whatever the locale says (it is the file-name encoding). Not UTF-8: in a locale such as fr_FR.ISO-8859-1,
 * glibc's "Opération non permise" has the single byte 0xE9 (ErrnoLocaleTest).
 */
public final class NativeText {
    /** The C library's codeset; the default charset where the JVM names one it cannot decode. */
    static final Charset CHARSET = nativeCharset();

    private NativeText() {
    }

    /** Loads and initializes this class ({@link NativeIo} does it with the native layer, see there). */
    static void load() {
        // the class initializer has run by now
    }

    /** The string of a NUL-terminated C string's bytes (without the NUL); null for null (a NULL pointer). */
    public static String decode(byte[] bytes) {
        return bytes == null ? null : new String(bytes, CHARSET);
    }

    private static Charset nativeCharset() {
        try {
            return Charset.forName(System.getProperty("native.encoding"));
        } catch (RuntimeException missingOrUnsupported) { // null, or a codeset this JVM has no charset for
            return Charset.defaultCharset();
        }
    }
}
