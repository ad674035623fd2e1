package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the first {@code make()} in a fresh JVM does on FFM, which is what makes it slow or fast (its time is
 * measured by {@code benchmarks/run.sh}, never asserted): it starts no logging backend, and it binds only the
 * function shapes it needs, each of which costs a fresh JVM several milliseconds of generated code. Each case in a
 * child JVM of this JDK on the FFM backend; the build's Java 22+ runs have it. (On JNA, JNA's own {@code Native}
 * class starts java.util.logging as it loads.)
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class FirstMakeTest {
    private static final String BEFORE = "--- before make";
    private static final String AFTER = "--- after make";

    @Test
    void theFirstMakeLooksUpNoLoggerSoNoLoggingBackendStarts() throws Exception {
        assumeFfmAvailable();
        JavaChild.Result result = JavaChild.run(JavaChild.command(List.of("-verbose:class", "-Dtokenpipe.native=ffm",
                "--enable-native-access=ALL-UNNAMED"), FirstMake.class));
        assertThat(result.exitCode).as(result.toString()).isZero();
        String make = between(result.output, BEFORE, AFTER);
        assertThat(make).as("classes loaded by the first make()").contains("io.tokenpipe.internal.FdHandle")
                .doesNotContain("java.util.logging.", "LoggerFinder");
        assertThat(result.output).contains("backend=ffm", "token=42");
    }

    @Test
    void theFirstMakeBindsThreeFunctionShapesAndTheFirstTokenOneMore() throws Exception {
        assumeFfmAvailable();
        JavaChild.Result result = JavaChild.run(JavaChild.command(List.of("-Dtokenpipe.native=ffm",
                "--enable-native-access=ALL-UNNAMED"), FirstMake.class));
        assertThat(result.exitCode).as(result.toString()).isZero();
        // getpid, gettid and __libc_current_sigrtmax; sigaction (the wake-up signal's handler); pipe2
        assertThat(result.output).contains("backend=ffm", "bound by make=[jint(), "
                + "jint(jint,jlong,jlong) captureCallState, jint(jlong,jint) captureCallState]", "token=42");
        // then read and write, one shape; sigprocmask (the thread's mask, read at its first token call) is sigaction's
        assertThat(result.output).contains("bound by the first token=[jint(), jint(jint,jlong,jlong) captureCallState, "
                + "jint(jlong,jint) captureCallState, jlong(jint,jlong,jlong) captureCallState]");
    }

    private static void assumeFfmAvailable() {
        ClassLoader loader = FirstMakeTest.class.getClassLoader();
        Assumptions.assumeTrue(Runtime.version().feature() >= 22
                && loader.getResource("io/tokenpipe/internal/ffm/FfmBackend.class") != null,
                "the FFM backend needs Java 22 and the multi-release jar");
    }

    private static String between(String text, String from, String to) {
        int start = text.indexOf(from);
        int end = text.indexOf(to);
        assertThat(start).as(text).isNotNegative();
        assertThat(end).as(text).isGreaterThan(start);
        return text.substring(start, end);
    }

    /** Makes the JVM's first pipe between two markers, then passes a token. */
    public static final class FirstMake {
        public static void main(String[] args) throws Exception {
            System.out.println(BEFORE);
            System.out.flush();
            TokenPipe made = TokenPipe.make().orElseThrow();
            System.out.println(AFTER);
            System.out.flush();
            String backend = NativeIo.get().backend().name();
            System.out.println("backend=" + backend);
            if (backend.equals("ffm")) {
                System.out.println("bound by make=" + bound());
            }
            try (TokenPipe pipe = made; TokenPipeEnd reader = pipe.takeReadEnd();
                    TokenPipeEnd writer = pipe.takeWriteEnd()) {
                writer.tokenWrite(42);
                System.out.println("token=" + reader.tokenRead());
                if (backend.equals("ffm")) {
                    System.out.println("bound by the first token=" + bound());
                }
            }
        }

        /** The FFM backend's function descriptors bound so far, sorted. */
        private static Set<String> bound() throws Exception {
            Method bound = Class.forName("io.tokenpipe.internal.ffm.Downcalls").getDeclaredMethod("bound");
            bound.setAccessible(true);
            @SuppressWarnings("unchecked")
            Set<String> descriptors = new TreeSet<>((Set<String>) bound.invoke(null));
            return descriptors;
        }
    }
}
