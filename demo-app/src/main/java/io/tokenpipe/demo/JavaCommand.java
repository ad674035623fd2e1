package io.tokenpipe.demo;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.jspecify.annotations.Nullable;

/**
 * Command lines that start another JVM on this JVM's own class path: the same {@code java}, and either the
 * executable jar this JVM runs from ({@code java -jar demo-app.jar}) or its plain class path (IDE, tests,
 * {@code spring-boot:run}).
 *
 * <p>In an executable jar the application's classes are nested in {@code BOOT-INF/}, so {@code -cp the.jar
 * SomeClass} cannot find them; another main class of the jar is started through Boot's
 * {@code PropertiesLauncher} with {@code -Dloader.main=SomeClass}, which sets up the same class loader as
 * {@code java -jar}.
 */
final class JavaCommand {

    /** Boot 3.2+'s launcher that runs the main class named by {@code loader.main}. */
    static final String PROPERTIES_LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";

    private static final String BOOT_LOADER_PACKAGE = "org.springframework.boot.loader.";

    private final String java;

    private final String classPath;

    private final @Nullable Path executableJar;

    JavaCommand(String java, String classPath, @Nullable Path executableJar) {
        this.java = java;
        this.classPath = classPath;
        this.executableJar = executableJar;
    }

    /** The command builder for the running JVM. */
    static JavaCommand ofThisJvm() {
        String classPath = System.getProperty("java.class.path", "");
        return new JavaCommand(Path.of(System.getProperty("java.home"), "bin", "java").toString(), classPath,
                executableJar(classPath));
    }

    /**
     * The Spring Boot executable jar that {@code classPath} consists of, or null when it is anything else.
     * @return the jar's absolute path when the class path is one jar file whose manifest's {@code Main-Class} is
     * one of Boot's launchers; null otherwise (several entries, a directory, a plain jar such as surefire's)
     */
    static @Nullable Path executableJar(String classPath) {
        if (classPath.isEmpty() || classPath.contains(File.pathSeparator) || !classPath.endsWith(".jar")) {
            return null;
        }
        Path jar = Path.of(classPath).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            return null;
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            String mainClass = (manifest != null) ? manifest.getMainAttributes().getValue("Main-Class") : null;
            return (mainClass != null && mainClass.startsWith(BOOT_LOADER_PACKAGE)) ? jar : null;
        }
        catch (IOException ex) {
            return null;
        }
    }

    /** Whether this JVM runs from an executable jar. */
    boolean isExecutableJar() {
        return this.executableJar != null;
    }

    /**
     * {@code java <jvmOptions> <how to reach mainClass> <args>}: runs {@code mainClass} from this class path.
     * @return the command, a new modifiable list
     */
    List<String> mainClass(List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(this.java);
        command.addAll(jvmOptions);
        if (this.executableJar != null) {
            command.add("-Dloader.main=" + mainClass);
            command.add("-cp");
            command.add(this.executableJar.toString());
            command.add(PROPERTIES_LAUNCHER);
        }
        else {
            command.add("-cp");
            command.add(this.classPath);
            command.add(mainClass);
        }
        command.addAll(args);
        return command;
    }

    /**
     * {@code java <jvmOptions> -jar <the jar> <args>} from an executable jar, or as {@link #mainClass} with
     * {@code applicationClass} otherwise: starts this application again.
     * @return the command, a new modifiable list
     */
    List<String> application(List<String> jvmOptions, String applicationClass, List<String> args) {
        if (this.executableJar == null) {
            return mainClass(jvmOptions, applicationClass, args);
        }
        List<String> command = new ArrayList<>();
        command.add(this.java);
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(this.executableJar.toString());
        command.addAll(args);
        return command;
    }

}
