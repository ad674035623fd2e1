package io.tokenpipe.demo;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** How the worker and the detached copy are started: from an executable jar, or from a plain class path. */
class JavaCommandTests {

    @TempDir
    Path directory;

    @Test
    void executableJarIsRecognisedByBootsLauncherInItsManifest() throws IOException {
        Path jar = jar("app.jar", "org.springframework.boot.loader.launch.JarLauncher");
        assertThat(JavaCommand.executableJar(jar.toString())).isEqualTo(jar.toAbsolutePath());
    }

    @Test
    void plainJarDirectoryAndSeveralEntriesAreNotExecutableJars() throws IOException {
        Path plain = jar("surefirebooter.jar", "org.apache.maven.surefire.booter.ForkedBooter");
        Path boot = jar("app.jar", "org.springframework.boot.loader.launch.JarLauncher");
        assertThat(JavaCommand.executableJar(plain.toString())).isNull();
        assertThat(JavaCommand.executableJar(this.directory.toString())).isNull();
        assertThat(JavaCommand.executableJar(boot + File.pathSeparator + plain)).isNull();
        assertThat(JavaCommand.executableJar(this.directory.resolve("missing.jar").toString())).isNull();
        assertThat(JavaCommand.executableJar("")).isNull();
    }

    @Test
    void mainClassFromAnExecutableJarGoesThroughPropertiesLauncher() {
        JavaCommand java = new JavaCommand("/jdk/bin/java", "/app/demo.jar", Path.of("/app/demo.jar"));
        assertThat(java.mainClass(List.of("-Xmx64m"), "com.example.Worker", List.of("--delay=PT2S")))
            .containsExactly("/jdk/bin/java", "-Xmx64m", "-Dloader.main=com.example.Worker", "-cp", "/app/demo.jar",
                    "org.springframework.boot.loader.launch.PropertiesLauncher", "--delay=PT2S");
        assertThat(java.application(List.of("-Xmx1g"), "com.example.App", List.of("--a=b")))
            .containsExactly("/jdk/bin/java", "-Xmx1g", "-jar", "/app/demo.jar", "--a=b");
    }

    @Test
    void mainClassFromAPlainClassPathIsStartedDirectly() {
        JavaCommand java = new JavaCommand("/jdk/bin/java", "target/classes:lib/x.jar", null);
        assertThat(java.mainClass(List.of(), "com.example.Worker", List.of("--fail")))
            .containsExactly("/jdk/bin/java", "-cp", "target/classes:lib/x.jar", "com.example.Worker", "--fail");
        assertThat(java.application(List.of("-Dx=y"), "com.example.App", List.of()))
            .containsExactly("/jdk/bin/java", "-Dx=y", "-cp", "target/classes:lib/x.jar", "com.example.App");
    }

    @Test
    void thisJvmIsDescribedByItsOwnJavaAndClassPath() {
        JavaCommand java = JavaCommand.ofThisJvm();
        List<String> command = java.mainClass(List.of(), "X", List.of());
        assertThat(command.get(0)).isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        assertThat(java.isExecutableJar()).isFalse(); // tests run from target/classes, not the repackaged jar
        assertThat(command).contains(System.getProperty("java.class.path"));
    }

    private Path jar(String name, String mainClass) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, mainClass);
        Path jar = this.directory.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file, manifest)) {
            // the manifest is all that matters
        }
        return jar;
    }

}
