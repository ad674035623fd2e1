package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** TokenPipePlatform: availability, backend and errno text, here and in a JVM where the native layer cannot load. */
@ExtendWith(FdCount.class)
@Timeout(120)
class TokenPipePlatformTest {

    @Test
    void availableHereWithTheBackendOfThisJvm() {
        // FFM on Java 22+ from the multi-release jar (the build's Java 22+ runs), unless JNA is forced; JNA before.
        boolean ffmClasses = getClass().getClassLoader().getResource("io/tokenpipe/internal/ffm/FfmBackend.class") != null;
        String expected = System.getProperty("tokenpipe.native",
                Runtime.version().feature() >= 22 && ffmClasses ? "ffm" : "jna");
        assertThat(TokenPipePlatform.isAvailable()).isTrue();
        assertThat(TokenPipePlatform.unavailableReason()).isEmpty();
        assertThat(TokenPipePlatform.backend()).isEqualTo(expected);
        assertThat(TokenPipePlatform.description())
                .startsWith(expected.equals("ffm") ? "Linux amd64 (libc, FFM (Java " + Runtime.version().feature() + ")"
                        : "Linux amd64 (libc, JNA ")
                .doesNotContain("/");
    }

    @Test
    void errnoNamesAndDescriptions() {
        assertThat(TokenPipePlatform.errnoName(24)).isEqualTo("EMFILE");
        assertThat(TokenPipePlatform.describeErrno(24)).isEqualTo("EMFILE (Too many open files)");
        assertThat(TokenPipePlatform.describeErrno(32)).isEqualTo("EPIPE (Broken pipe)");
        assertThat(TokenPipePlatform.errnoName(4095)).isEqualTo("errno 4095");
    }

    @Test
    void unavailableWithTheReasonWhereJnaCannotLoad() throws Exception {
        JavaChild.Result result = JavaChild.run(JavaChild.command(JavaChild.WITHOUT_NATIVE_SUPPORT, PlatformChild.class));
        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output).contains("available=false backend=none")
                .contains("reason=Could not find JNA native support")
                .contains("description=unavailable: Could not find JNA native support")
                .contains("errno=EMFILE describe=EMFILE");
    }

    /** Prints what TokenPipePlatform says in a JVM of its own. */
    public static final class PlatformChild {
        public static void main(String[] args) {
            System.out.println("available=" + TokenPipePlatform.isAvailable() + " backend=" + TokenPipePlatform.backend());
            System.out.println("reason=" + TokenPipePlatform.unavailableReason().orElse("-"));
            System.out.println("description=" + TokenPipePlatform.description());
            System.out.println("errno=" + TokenPipePlatform.errnoName(24) + " describe=" + TokenPipePlatform.describeErrno(24));
        }
    }
}
