package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which backend a JVM gets, and what it loads (pipes, child processes, adopt and the systemd notifier alike): each
 * case in a fresh child JVM of the running JDK, with only the options the case names (not the
 * {@code -Dtokenpipe.native} of the test run). The FFM cases need Java 22+ and the multi-release jar on the class
 * path, which the build's Java 22+ runs have; the Java 17 run checks the JNA side.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class BackendChoiceTest {
    private static final int FEATURE = Runtime.version().feature();

    @TempDir
    Path jnaTmp;

    @Test
    void onJava22AndLaterTheDefaultIsFfmAndNeitherJnaNorItsLibraryIsLoaded() throws Exception {
        assumeFfmAvailable();
        JavaChild.Result result = child(List.of("-verbose:class", "--enable-native-access=ALL-UNNAMED",
                "-Djna.tmpdir=" + jnaTmp));
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("token=42", "backend=ffm", "FFM (Java " + FEATURE + ")",
                "jnidispatch mapped=false", "files in jna.tmpdir=0", "mapped from jna.tmpdir=false",
                "java.lang.foreign.Linker");
        assertThat(result.output).as("classes loaded").doesNotContain("com.sun.jna");
        assertThat(result.output).doesNotContain("WARNING");
    }

    @Test
    void onJava22AndLaterChildProcessAdoptAndSystemdNotifierLoadNoJnaEither() throws Exception {
        assumeFfmAvailable();
        JavaChild.Result result = child(List.of("-verbose:class", "--enable-native-access=ALL-UNNAMED",
                "-Djna.tmpdir=" + jnaTmp), UseEveryEntryPoint.class);
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("backend=ffm", "child exit=0 read=-2", "adopted token=7",
                "systemd sent=false errno=2", "jnidispatch mapped=false", "files in jna.tmpdir=0",
                "io.tokenpipe.ChildProcess", "io.tokenpipe.SystemdNotifier");
        assertThat(result.output).as("classes loaded").doesNotContain("com.sun.jna");
        assertThat(result.output).doesNotContain("WARNING");
    }

    @Test
    void forcingJnaOnJava22AndLaterLoadsJnaInstead() throws Exception {
        assumeFfmAvailable();
        JavaChild.Result result = child(List.of("-verbose:class", "--enable-native-access=ALL-UNNAMED",
                "-Dtokenpipe.native=jna", "-Djna.tmpdir=" + jnaTmp));
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("token=42", "backend=jna", "jnidispatch mapped=true", "com.sun.jna.Native")
                .contains("mapped from jna.tmpdir=true"); // JNA unpacks its library there (and unlinks it once mapped)
        assertThat(result.output).as("classes loaded").doesNotContain("io.tokenpipe.internal.ffm");
    }

    @Test
    void beforeJava22TheBackendIsJnaAndFfmCannotBeForced() throws Exception {
        Assumptions.assumeTrue(FEATURE < 22, "Java " + FEATURE + " has java.lang.foreign");
        JavaChild.Result defaults = child(List.of());
        assertThat(defaults.exitCode).as(defaults.toString()).isZero();
        assertThat(defaults.output).contains("token=42", "backend=jna", "jnidispatch mapped=true");

        JavaChild.Result forced = child(List.of("-Dtokenpipe.native=ffm"));
        assertThat(forced.exitCode).as(forced.toString()).isZero();
        assertThat(forced.output).contains("empty=true", "-Dtokenpipe.native=ffm needs Java 22 or later");
    }

    @Test
    void aBadBackendNameMakesMakeReturnEmptyNamingThePropertyAndItsValues() throws Exception {
        JavaChild.Result result = child(List.of("-Dtokenpipe.native=panama"));
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("empty=true", "errno=0",
                "system property tokenpipe.native=panama names no backend: use ffm", " or jna");
    }

    @Test
    void withoutNativeAccessEnabledTheJdkWarnsOnceAndTokensStillFlow() throws Exception {
        assumeFfmAvailable();
        JavaChild.Result result = child(List.of());
        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).contains("token=42", "backend=ffm");
        // The JDK's own warning, its choice: one, naming our class and the option that silences it.
        assertThat(result.output.split("WARNING: A restricted method", -1)).hasSize(2);
        assertThat(result.output).contains("io.tokenpipe.internal.ffm", "--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void deniedNativeAccessMakesMakeReturnEmptyNamingTheFlagThatAllowsIt() throws Exception {
        assumeFfmAvailable();
        Assumptions.assumeTrue(FEATURE >= 24, "--illegal-native-access exists from Java 24");
        for (String backend : List.of("ffm", "jna")) {
            JavaChild.Result result = child(List.of("--illegal-native-access=deny", "-Dtokenpipe.native=" + backend));
            assertThat(result.exitCode).as(result.toString()).isZero();
            assertThat(result.output).as(backend).contains("empty=true", "errno=0",
                    "token pipes are not available: this JVM denies native access (--illegal-native-access=deny)",
                    "start it with --enable-native-access=ALL-UNNAMED", "Enable-Native-Access: ALL-UNNAMED",
                    "adopt: UnsupportedOperationException");
            assertThat(result.output).as(backend).doesNotContain("ExceptionInInitializerError", "Exception in thread");
        }
    }

    private static void assumeFfmAvailable() {
        Assumptions.assumeTrue(FEATURE >= 22, "java.lang.foreign needs Java 22; this is " + FEATURE);
        Assumptions.assumeTrue(ffmClassesOnClassPath(), "the FFM classes are only in the multi-release jar");
    }

    private static boolean ffmClassesOnClassPath() {
        return BackendChoiceTest.class.getClassLoader().getResource("io/tokenpipe/internal/ffm/FfmBackend.class")
                != null;
    }

    /** A fresh JVM of this JDK with only {@code options}; runs {@link ReportBackend}. */
    private static JavaChild.Result child(List<String> options) throws Exception {
        return child(options, ReportBackend.class);
    }

    /** A fresh JVM of this JDK with only {@code options}; runs {@code main}. */
    private static JavaChild.Result child(List<String> options, Class<?> main) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(JavaChild.javaExecutable());
        command.addAll(options);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        return JavaChild.run(command);
    }

    /**
     * Uses the other entry points into the native layer: starts a real child ({@code /bin/true}) with a pipe's write
     * end passed to it, adopts a pipe descriptor of its own (detached from its end, as a parent hands one over), and
     * sends to a NOTIFY_SOCKET path nobody listens at (socket and sendto reach the kernel, which says ENOENT).
     */
    public static final class UseEveryEntryPoint {
        public static void main(String[] args) throws Exception {
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd();
                    ChildProcess child = ChildProcess.builder("/bin/true").passEnd(pipe.takeWriteEnd(), 3).start()) {
                int exit = child.waitFor();
                System.out.println("child exit=" + exit + " read=" + reader.tokenRead()); // EOS: the child closed it
            }
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd();
                    TokenPipeEnd adopted = TokenPipeEnd.adopt(pipe.takeReadEnd().detach())) {
                writer.tokenWrite(7);
                System.out.println("adopted token=" + adopted.tokenRead());
            }
            SystemdNotifier.Result sent = SystemdNotifier.forSocket("/nonexistent-tokenpipe-dir/notify.sock")
                    .send("READY=1");
            System.out.println("systemd sent=" + sent.isSent() + " errno=" + sent.errno());
            System.out.println("backend=" + NativeIo.get().backend().name());
            boolean mapped = Pattern.compile("jnidispatch|/jna\\d+\\.tmp")
                    .matcher(Files.readString(Path.of("/proc/self/maps"))).find();
            System.out.println("jnidispatch mapped=" + mapped);
            try (var files = Files.walk(Path.of(System.getProperty("jna.tmpdir")))) {
                System.out.println("files in jna.tmpdir=" + files.filter(Files::isRegularFile).count());
            }
        }
    }

    /** Makes a pipe, passes a token, and reports the backend and whether JNA's native library is mapped. */
    public static final class ReportBackend {
        public static void main(String[] args) throws Exception {
            Optional<TokenPipe> made = TokenPipe.make();
            System.out.println("empty=" + made.isEmpty() + " errno=" + TokenPipe.lastMakeErrno() + " "
                    + TokenPipe.lastMakeFailure().orElse(""));
            if (made.isPresent()) {
                try (TokenPipe pipe = made.get(); TokenPipeEnd reader = pipe.takeReadEnd();
                        TokenPipeEnd writer = pipe.takeWriteEnd()) {
                    writer.tokenWrite(42);
                    System.out.println("token=" + reader.tokenRead());
                }
                System.out.println("backend=" + NativeIo.get().backend().name() + " platform="
                        + NativeIo.get().platform());
            } else {
                try {
                    TokenPipeEnd.adopt(3);
                } catch (RuntimeException e) {
                    System.out.println("adopt: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
            // JNA maps libjnidispatch from its jar's copy unpacked to "jna<digits>.tmp", or from the system's
            boolean mapped = Pattern.compile("jnidispatch|/jna\\d+\\.tmp")
                    .matcher(Files.readString(Path.of("/proc/self/maps"))).find();
            System.out.println("jnidispatch mapped=" + mapped);
            String jnaTmp = System.getProperty("jna.tmpdir");
            if (jnaTmp != null) {
                try (var files = Files.walk(Path.of(jnaTmp))) {
                    System.out.println("files in jna.tmpdir=" + files.filter(Files::isRegularFile).count());
                }
                System.out.println("mapped from jna.tmpdir=" + Files.readString(Path.of("/proc/self/maps")).contains(jnaTmp));
            }
        }
    }
}
