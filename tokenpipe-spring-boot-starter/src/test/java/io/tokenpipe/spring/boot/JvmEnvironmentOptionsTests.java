package io.tokenpipe.spring.boot;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JVM options daemon mode leaves to the environment are those the real JVMs took from it: JAVA_TOOL_OPTIONS
 * and _JAVA_OPTIONS (read by HotSpot), JDK_JAVA_OPTIONS (read by the java launcher), with quotes, tabs and the
 * launcher's two-word options, on this JDK and on a JDK 25 or later (required). Whatever is left is what the
 * command line gave, once each.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class JvmEnvironmentOptionsTests {

    @TempDir
    Path directory;

    /** An empty directory for {@code -p}: the JVM's boot layer reads every jar on the module path. */
    @TempDir
    static Path emptyModulePath;

    /**
     * The JVMs to run: this one (JDK 17, which runs the build) and a JDK 25 or later. That one is required, not
     * skipped when missing: core's build needs a JDK 22+ too, and docs/readiness.md says both were run.
     */
    static List<String> javas() throws IOException {
        List<String> javas = new ArrayList<>(List.of(JavaChild.javaExecutable()));
        String newer = jdk25().orElseThrow(() -> new AssertionError("JvmEnvironmentOptionsTests runs the JVM options"
                + " on this JVM and on a JDK 25 or later, and found none under /usr/lib/jvm or in a JAVAnn_HOME or"
                + " JDKnn_HOME variable: install one (e.g. Eclipse Temurin 25 under /usr/lib/jvm) or point"
                + " JAVA25_HOME at one"));
        if (!javas.contains(newer)) {
            javas.add(newer);
        }
        return javas;
    }

    /** A JDK 25+ where core's build also looks for its JDK 22+: /usr/lib/jvm, then JAVAnn_HOME and JDKnn_HOME. */
    private static Optional<String> jdk25() throws IOException {
        Optional<Path> installed = JavaChild.javaOfAtLeast(25);
        if (installed.isPresent()) {
            return Optional.of(installed.get().toString());
        }
        return System.getenv().entrySet().stream()
            .filter((variable) -> variable.getKey().matches("(JAVA|JDK)\\d+_HOME"))
            .map((variable) -> Path.of(variable.getValue()))
            .filter((home) -> JavaChild.featureVersion(home) >= 25)
            .map((home) -> home.resolve("bin/java").toString())
            .sorted()
            .findFirst();
    }

    /**
     * What the variables hold, the command line's own options (some equal to one from the environment: those
     * stay, once), and what the JVM made of it all.
     */
    static Stream<Arguments> environments() throws IOException {
        List<Arguments> cases = List.of(
                Arguments.of("_JAVA_OPTIONS, read after the command line",
                        Map.of("_JAVA_OPTIONS", "-Dunderscore=1 -Dboth=1"), List.of("-Dboth=1"),
                        List.of("-Dboth=1", "-Dunderscore=1", "-Dboth=1")),
                Arguments.of("quoted values", Map.of(
                        "JAVA_TOOL_OPTIONS", "-Dtool.quoted=\"a b\" '-Dtool.single=c d' -Dtool.mixed=e\"f g\"h'i j'",
                        "JDK_JAVA_OPTIONS", "-Djdk.quoted=\"k l\" '-Djdk.single=m n'",
                        "_JAVA_OPTIONS", "-Dunderscore.quoted=\"o p\""),
                        List.of("-Dcmd.spaced=s t"),
                        List.of("-Dtool.quoted=a b", "-Dtool.single=c d", "-Dtool.mixed=ef ghi j", "-Djdk.quoted=k l",
                                "-Djdk.single=m n", "-Dcmd.spaced=s t", "-Dunderscore.quoted=o p")),
                Arguments.of("the launcher's two-word options in JDK_JAVA_OPTIONS", Map.of("JDK_JAVA_OPTIONS",
                        "--add-opens java.base/java.lang=ALL-UNNAMED -classpath /nonexistent -p " + emptyModulePath
                                + " -Djdk=1"),
                        List.of("--add-opens=java.base/java.lang=ALL-UNNAMED"),
                        List.of("--add-opens=java.base/java.lang=ALL-UNNAMED", "--module-path=" + emptyModulePath,
                                "-Djdk=1", "--add-opens=java.base/java.lang=ALL-UNNAMED")),
                Arguments.of("all three, with tabs, apostrophes and backslashes", Map.of(
                        "JAVA_TOOL_OPTIONS", "  -Dboth=1\t-Dtool.apostrophe=\"it's\" -Dtool.backslash=a\\b ",
                        "JDK_JAVA_OPTIONS", "\t-Djdk.quoted=\"k l\"  --enable-native-access ALL-UNNAMED",
                        "_JAVA_OPTIONS", "-Dunderscore.quoted=\"o p\"\t-Dboth=1"),
                        List.of("-Dboth=1", "-Dcmd.spaced=s t"),
                        List.of("-Dboth=1", "-Dtool.apostrophe=it's", "-Dtool.backslash=a\\b", "-Djdk.quoted=k l",
                                "--enable-native-access=ALL-UNNAMED", "-Dboth=1", "-Dcmd.spaced=s t",
                                "-Dunderscore.quoted=o p", "-Dboth=1")));
        List<Arguments> all = new ArrayList<>();
        for (String java : javas()) {
            for (Arguments environment : cases) {
                List<Object> values = new ArrayList<>(List.of(java));
                values.addAll(List.of(environment.get()));
                all.add(Arguments.of(values.toArray()));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{1}, {0}")
    @MethodSource("environments")
    void theCopyGetsTheCommandLinesOptionsOnlyWhateverTheEnvironmentHeld(String java, String name,
            Map<String, String> environment, List<String> commandLine, List<String> readByTheJvm) throws Exception {
        List<String> output = run(java, environment, commandLine);
        assertThat(lines(output, "input ")).as("what the JVM read, in its order").isEqualTo(readByTheJvm);
        assertThat(lines(output, "copy ")).as("the copy's own options; the environment gives it the rest again")
            .isEqualTo(commandLine);
    }

    private List<String> run(String java, Map<String, String> environment, List<String> commandLine)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(commandLine);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), InputArgumentsChild.class.getName()));
        Path out = this.directory.resolve("out.txt");
        Path err = this.directory.resolve("err.txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
        builder.environment().keySet().removeAll(List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError(java + " did not finish: " + Files.readString(err));
        }
        assertThat(process.exitValue()).as(Files.readString(err)).isZero();
        return Files.readAllLines(out, StandardCharsets.UTF_8);
    }

    private static List<String> lines(List<String> output, String prefix) {
        return output.stream().filter((line) -> line.startsWith(prefix)).map((line) -> line.substring(prefix.length()))
            .toList();
    }

}
