package io.tokenpipe.spring.boot.actuate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link TokenPipeHealthIndicator}: UP with details, UP at the limit, DOWN while the OS refuses pipes (in a
 * child JVM whose descriptor limit is small) and UP again once descriptors are free; UNKNOWN where the native
 * layer cannot load (also a child JVM), DOWN there only once the application failed to make a pipe.
 */
@ExtendWith(FdCount.class)
@Timeout(90)
class TokenPipeHealthIndicatorTests {

    @Test
    void upWithCountsLimitFdsAndPlatformButNoPathsOrEnvironment() throws Exception {
        try (TokenPipeFactory factory = new TokenPipeFactory(16)) {
            TokenPipe pipe = factory.create("worker");
            pipe.takeReadEnd().close();
            factory.create("done").close();
            Health health = new TokenPipeHealthIndicator(factory).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            Map<String, Object> details = health.getDetails();
            assertThat(details).containsOnlyKeys("openPipes", "openEnds", "created", "closed", "failed", "rejected",
                    "maxOpenPipes", "limitReached", "openFds", "openFdLimit", "available", "platform");
            assertThat(details).containsEntry("available", true);
            assertThat(details).containsEntry("openPipes", 1)
                .containsEntry("openEnds", 1)
                .containsEntry("created", 2L)
                .containsEntry("closed", 1L)
                .containsEntry("failed", 0L)
                .containsEntry("rejected", 0L)
                .containsEntry("maxOpenPipes", 16)
                .containsEntry("limitReached", false);
            // FdCount leaves out what the JVM opens under /proc and /sys for a moment; the detail counts everything.
            assertThat((long) details.get("openFds")).isCloseTo(FdCount.openFdCount(), within(3L));
            assertThat((long) details.get("openFdLimit")).isEqualTo(softFdLimit());
            assertThat((String) details.get("platform")).startsWith("Linux ").doesNotContain("/");
            pipe.close();
        }
    }

    @Test
    void staysUpWhenTheLimitIsReached() {
        try (TokenPipeFactory factory = new TokenPipeFactory(1)) {
            TokenPipe only = factory.create("only");
            try {
                factory.create("one-too-many");
            }
            catch (IllegalStateException expected) {
                // refused by the limit
            }
            Health health = new TokenPipeHealthIndicator(factory).health(true);
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails()).containsEntry("limitReached", true).containsEntry("rejected", 1L);
            only.close();
        }
    }

    @Test
    void downWhileTheSystemRefusesPipesAndUpOnceDescriptorsAreFree() throws Exception {
        JavaChild.Result result = JavaChild.runUnderShell("ulimit -n 200;", List.of(), EmfileHealthChild.class);
        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output).contains("before=UP")
            .contains("refused=Cannot create token pipe 'filler': pipe() failed: EMFILE (Too many open files) errno=24")
            .contains("during=DOWN error=pipe() failed: EMFILE (Too many open files) failed=1 lastFailure=pipe() failed:"
                    + " EMFILE (Too many open files)")
            .contains("after=UP failed=1");
        assertThat(result.output).contains("still=DOWN")
            .containsOnlyOnce("WARN io.tokenpipe.spring.boot.actuate.TokenPipeHealthIndicator")
            .containsOnlyOnce("Token pipes cannot be made: pipe() failed: EMFILE (Too many open files) (health"
                    + " component tokenPipe is DOWN until a fresh pipe can be made)");
    }

    @Test
    void unknownWhereTheNativeLayerIsUnavailableUntilTheApplicationFailsToMakeAPipe() throws Exception {
        JavaChild.Result result = JavaChild.run(JavaChild.command(
                JavaChild.WITHOUT_NATIVE_SUPPORT,
                NativeUnavailableHealthChild.class));
        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output)
            .contains("status=UNKNOWN keys=[openPipes, openEnds, created, closed, failed, rejected, maxOpenPipes,"
                    + " limitReached, openFds, openFdLimit, available, reason]")
            .contains("available=false reason=Could not find JNA native support")
            .contains("refused=Cannot create token pipe 'worker': token pipes are not available: Could not find JNA"
                    + " native support")
            .contains("after=DOWN error=token pipes are not available: Could not find JNA native support")
            .contains("again=DOWN");
        assertThat(result.output).containsOnlyOnce("WARN io.tokenpipe.spring.boot.actuate.TokenPipeHealthIndicator")
            .containsOnlyOnce("Token pipes cannot be made: token pipes are not available: Could not find JNA native"
                    + " support (health component tokenPipe is DOWN until a fresh pipe can be made)");
    }

    /** JDK 24+ with --illegal-native-access=deny, where JNA cannot load its library: UNKNOWN, as without JNA. */
    @Test
    void unknownOnAJdkThatDeniesNativeAccess() throws Exception {
        Optional<Path> java = JavaChild.javaOfAtLeast(24);
        Assumptions.assumeTrue(java.isPresent(), "no JDK 24 or later under /usr/lib/jvm");
        List<String> command = new ArrayList<>(JavaChild.command(List.of("--illegal-native-access=deny"),
                NativeUnavailableHealthChild.class));
        command.set(0, java.get().toString());
        JavaChild.Result result = JavaChild.run(command);
        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output).contains("status=UNKNOWN")
            .containsPattern("available=false reason=\\S")
            .contains("after=DOWN")
            .contains("--enable-native-access=ALL-UNNAMED") // the reason names the fix (FFM from the jar, or JNA)
            .doesNotContain("Exception in thread", "ExceptionInInitializerError");
    }

    /** RLIMIT_NOFILE's soft limit, as the shell reports it: what openFdLimit must show. */
    private static long softFdLimit() throws Exception {
        Process shell = new ProcessBuilder("sh", "-c", "ulimit -Sn").redirectErrorStream(true).start();
        String text = new String(shell.getInputStream().readAllBytes()).strip();
        shell.getOutputStream().close();
        shell.getInputStream().close();
        shell.getErrorStream().close();
        assertThat(shell.waitFor()).isZero();
        return Long.parseLong(text);
    }

}
