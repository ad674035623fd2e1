package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.NewestJdk;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child started by ChildProcess gets exactly the bytes a child started by ProcessBuilder gets: its environment
 * (including values and names that are not valid in the platform charset, such as ff fe, and variables the caller
 * adds), its arguments and its working directory. Both children are python3 dumping what they got as bytes; they
 * run from a child JVM whose own environment holds the invalid bytes (set by sh). Java 17 encodes strings for a
 * child with the default charset, Java 18+ with sun.jnu.encoding: each is run with a default charset that differs.
 */
@ExtendWith(FdCount.class)
@Timeout(180)
class ChildEnvironmentBytesTest {
    /** Prints argv, cwd and the sorted environment as bytes. */
    static final String DUMP = String.join("\n",
            "import os, sys",
            "env = b'\\0'.join(sorted(k + b'=' + v for k, v in os.environb.items()))",
            "argv = b'\\0'.join(os.fsencode(a) for a in sys.argv[1:])",
            "sys.stdout.buffer.write(b'argv:' + argv + b'\\ncwd:' + os.getcwdb() + b'\\nenv:' + env)");
    /** An added value with characters outside ASCII and Latin-1. */
    static final String ADDED = "a\u00f1adido-\u00e9-\u20ac";

    @TempDir
    Path temp;

    @Test
    void theChildGetsTheBytesProcessBuilderGivesOnThisJdk() throws Exception {
        compare(JavaChild.javaExecutable(), List.of());
    }

    @Test
    void onThisJdkWithADefaultCharsetOtherThanTheJnuEncoding() throws Exception {
        compare(JavaChild.javaExecutable(), List.of("-Dfile.encoding=ISO-8859-1"));
    }

    @Test
    void onTheNewestJdk() throws Exception {
        Optional<Path> java = NewestJdk.java(22);
        Assumptions.assumeTrue(java.isPresent(), "no JDK 22 or later under /usr/lib/jvm");
        compare(java.get().toString(), List.of("--enable-native-access=ALL-UNNAMED"));
        compare(java.get().toString(), List.of("--enable-native-access=ALL-UNNAMED", "-Dfile.encoding=ISO-8859-1"));
    }

    private void compare(String java, List<String> options) throws Exception {
        Path out = Files.createDirectories(temp.resolve("run-" + options.size() + "-" + java.hashCode()));
        // With a default charset other than the file names' (-Dfile.encoding), Java 17's ProcessBuilder cannot chdir
        // into a directory with non-ASCII name at all (it encodes the name with the default charset): ASCII there.
        String directory = options.stream().anyMatch(o -> o.startsWith("-Dfile.encoding")) ? "dir-ascii" : "dir-\u00e9";
        List<String> command = new ArrayList<>(JavaChild.command(options, DumpBothWays.class, out.toString(),
                directory));
        command.set(0, java);
        StringBuilder line = new StringBuilder("export LC_ALL=C.UTF-8 TP_RAW=\"$(printf 'x\\377\\376y')\";"
                + " exec env \"$(printf 'TP_NAME_\\377')=named\"");
        for (String word : command) {
            line.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        JavaChild.Result result = JavaChild.run(List.of("sh", "-c", line.toString()));
        assertThat(result.exitCode).as(result.toString()).isZero();
        for (String kind : List.of("added", "plain")) {
            byte[] expected = Files.readAllBytes(out.resolve("pb-" + kind));
            byte[] actual = Files.readAllBytes(out.resolve("tp-" + kind));
            assertThat(new String(expected, StandardCharsets.ISO_8859_1)).as("ProcessBuilder's child saw (%s)", kind)
                    .contains("TP_RAW=x\u00ff\u00fey").contains("TP_NAME_\u00ff=named");
            assertThat(actual).as("bytes the %s child got, %s %s: ChildProcess's, ProcessBuilder's:\n%s\n%s", kind,
                    java, options, latin1(actual), latin1(expected)).isEqualTo(expected);
        }
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1).replace('\0', '|');
    }

    /** Starts the dumper through ProcessBuilder and through ChildProcess, with and without an added variable. */
    public static final class DumpBothWays {
        public static void main(String[] args) throws Exception {
            Path out = Path.of(args[0]);
            Path directory = Files.createDirectories(out.resolve(args[1]));
            List<String> command = List.of("python3", "-c", DUMP, "arg-\u00e9-\u20ac", "plain");
            ProcessBuilder added = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectOutput(out.resolve("pb-added").toFile());
            Map<String, String> environment = added.environment();
            environment.put("TP_ADDED", ADDED);
            environment.put("HOME", "/home-\u00e9"); // replaces an inherited variable
            check(added.start().waitFor());
            check(new ProcessBuilder(command).directory(new File(directory.toString()))
                    .redirectOutput(out.resolve("pb-plain").toFile()).start().waitFor());
            try (ChildProcess child = ChildProcess.builder(command).directory(directory)
                    .environment("TP_ADDED", ADDED).environment("HOME", "/home-\u00e9")
                    .redirectOutput(out.resolve("tp-added")).start()) {
                check(child.waitFor());
            }
            try (ChildProcess child = ChildProcess.builder(command).directory(directory)
                    .redirectOutput(out.resolve("tp-plain")).start()) {
                check(child.waitFor());
            }
        }

        private static void check(int exit) {
            if (exit != 0) {
                throw new IllegalStateException("dumper exited " + exit);
            }
        }
    }
}
