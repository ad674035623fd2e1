package io.tokenpipe.internal.spawn;

import io.tokenpipe.internal.Os;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The bytes a child gets, made the way {@link ProcessBuilder} makes them, so that a child started here sees exactly
 * what one started by ProcessBuilder would:
 * <ul>
 *   <li>Command words, the working directory and caller-set variables are encoded as the JDK encodes them for a
 *       child: with {@code sun.jnu.encoding} on Java 18 and later (java.lang.ProcessImpl and ProcessEnvironment use
 *       JNU_CHARSET), with the default charset on Java 17 (String.getBytes() there). Redirect files are opened by
 *       java.io in ProcessBuilder, whose paths are always in {@code sun.jnu.encoding}.</li>
 *   <li>The inherited environment is the bytes the process was started with, not the decoded Strings of
 *       {@link System#getenv()}: a value that is not valid in the charset (ff fe in UTF-8) would come back as
 *       ef bf bd ef bf bd. ProcessBuilder keeps the bytes of every variable the JDK read at start-up; here they are
 *       read from /proc/self/environ (Linux) and matched to what System.getenv() holds, decoded with the same
 *       charset. A variable the JDK holds but that is not there (native code set it before the JDK read the
 *       environment), or where /proc cannot be read (macOS), is encoded from its String.</li>
 * </ul>
 */
final class ChildStrings {
    /** How the JDK encodes a child's command words, directory and environment. */
    static final Charset PROCESS = Runtime.version().feature() >= 18 ? jnuCharset() : Charset.defaultCharset();
    /** How java.io and java.nio encode file names. */
    static final Charset FILE_NAMES = jnuCharset();

    private ChildStrings() {
    }

    private static Charset jnuCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding"));
        } catch (RuntimeException unknown) {
            return Charset.defaultCharset();
        }
    }

    /**
     * The child's environment: this process's, as ProcessBuilder passes it, with {@code changes} set on top (each
     * replacing the variable whose name has the same bytes, as ProcessBuilder's environment map does; a null value
     * removes it).
     */
    static List<byte[]> environment(Map<String, String> changes) {
        // Every (name, value) the JDK holds, counted: a raw entry is used for one of them when it decodes to it.
        Map<String, Integer> wanted = new HashMap<>();
        System.getenv().forEach((name, value) -> wanted.merge(name + '\0' + value, 1, Integer::sum));
        List<byte[]> entries = new ArrayList<>();
        Set<String> rawNames = new HashSet<>();
        for (byte[] entry : rawEnvironment()) {
            int equals = indexOf(entry, (byte) '=');
            if (equals < 0) {
                continue; // the JDK skips an entry without '=' too
            }
            String nameBytes = new String(entry, 0, equals, StandardCharsets.ISO_8859_1); // one char per byte
            if (!rawNames.add(nameBytes)) {
                continue; // the first of two entries with one name wins, as in the JDK
            }
            String key = new String(entry, 0, equals, PROCESS) + '\0'
                    + new String(entry, equals + 1, entry.length - equals - 1, PROCESS);
            Integer count = wanted.get(key);
            if (count != null) {
                entries.add(entry);
                if (count == 1) {
                    wanted.remove(key);
                } else {
                    wanted.put(key, count - 1);
                }
            }
        }
        wanted.forEach((key, count) -> {
            for (int i = 0; i < count; i++) {
                entries.add(key.replace('\0', '=').getBytes(PROCESS));
            }
        });
        changes.forEach((name, value) -> {
            byte[] nameBytes = name.getBytes(PROCESS);
            entries.removeIf(entry -> hasName(entry, nameBytes));
            if (value != null) { // null: left out
                entries.add((name + '=' + value).getBytes(PROCESS));
            }
        });
        return entries;
    }

    /** The environment this process was started with, as bytes; empty where /proc cannot tell. */
    private static List<byte[]> rawEnvironment() {
        List<byte[]> entries = new ArrayList<>();
        if (!Os.LINUX) {
            return entries;
        }
        byte[] all;
        try {
            all = Files.readAllBytes(Path.of("/proc/self/environ"));
        } catch (IOException | RuntimeException unreadable) {
            return entries;
        }
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == 0) {
                if (i > start) {
                    entries.add(Arrays.copyOfRange(all, start, i));
                }
                start = i + 1;
            }
        }
        return entries;
    }

    private static boolean hasName(byte[] entry, byte[] name) {
        return entry.length > name.length && entry[name.length] == '='
                && Arrays.equals(entry, 0, name.length, name, 0, name.length);
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
