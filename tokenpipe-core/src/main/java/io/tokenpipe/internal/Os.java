package io.tokenpipe.internal;

import java.util.Locale;

/** The operating system and processor this JVM runs on, from its system properties: no native code. */
public final class Os {
    public static final boolean LINUX;
    public static final boolean MAC;
    public static final boolean WINDOWS;
    /** "x86-64", "aarch64", or os.arch as the JVM reports it. */
    public static final String ARCH;
    public static final boolean BITS_64;

    static {
        String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        LINUX = name.startsWith("linux");
        MAC = name.startsWith("mac") || name.startsWith("darwin");
        WINDOWS = name.startsWith("windows");
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        ARCH = arch.equals("amd64") || arch.equals("x86_64") ? "x86-64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        BITS_64 = "64".equals(System.getProperty("sun.arch.data.model")) || ARCH.equals("x86-64")
                || ARCH.equals("aarch64");
    }

    private Os() {
    }

    /** "Linux amd64": the JVM's own names, for messages. */
    public static String describe() {
        return System.getProperty("os.name") + " " + System.getProperty("os.arch");
    }
}
