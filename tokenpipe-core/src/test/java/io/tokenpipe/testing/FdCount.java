package io.tokenpipe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.TokenPipe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Counts this process's open descriptors ({@code /proc/self/fd}) and, as a JUnit extension, fails every test
 * after which the count is not back where it was before the test. The baseline is taken after a warm-up:
 * the JVM opens jars, /dev/random, libffi's temp file and NIO's pre-close socket lazily, once.
 */
public final class FdCount implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(FdCount.class);

    /** The number of descriptors this process has open now. */
    public static int openFdCount() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1; // the directory stream itself holds one while listing
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens, once, what the JVM and JNA open lazily on first use, so that they do not count as leaks. */
    public static void warmUp() {
        TokenPipe.make().orElseThrow().close();
        try {
            Path temp = Files.createTempFile("tokenpipe-warmup", ".tmp");
            Files.writeString(temp, "warm-up");
            Files.readString(temp);
            Files.delete(temp);
            Process process = new ProcessBuilder("true").start();
            // closed here, not later by the JDK's reaper thread (which would race with the baseline count)
            process.getOutputStream().close();
            process.getInputStream().close();
            process.getErrorStream().close();
            process.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        warmUp();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put("before", openFdCount());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        int before = context.getStore(NAMESPACE).get("before", Integer.class);
        assertThat(openFdCount()).as("open descriptors after %s (before: %d)", context.getDisplayName(), before)
                .isEqualTo(before);
    }
}
