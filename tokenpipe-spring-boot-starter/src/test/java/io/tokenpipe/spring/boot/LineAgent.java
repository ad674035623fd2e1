package io.tokenpipe.spring.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * A {@code -javaagent} that appends this JVM's pid to the file named by its argument each time it is loaded: a JVM
 * given the agent twice writes its pid twice. {@link #jar} makes the agent jar (a manifest only; the class comes
 * from the class path).
 */
public final class LineAgent {

    private LineAgent() {
    }

    public static void premain(String file) throws IOException {
        Files.writeString(Path.of(file), ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Writes the agent's jar to {@code jar}. */
    static Path jar(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", LineAgent.class.getName());
        Files.createDirectories(jar.getParent());
        new JarOutputStream(Files.newOutputStream(jar), manifest).close();
        return jar;
    }

}
