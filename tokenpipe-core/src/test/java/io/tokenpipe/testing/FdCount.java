package io.tokenpipe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.TokenPipe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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

    /**
     * The number of descriptors this process has open now, not counting those open on files under /proc and
     * /sys: the JVM opens those for a moment at any time from its own threads (the JIT compiler and the GC read
     * cgroup limits such as /sys/fs/cgroup/memory/memory.stat), and the listing itself is one of them.
     */
    public static int openFdCount() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.filter(FdCount::countable).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Of {@link #openFdCount()}, the pipes only: for a test in which other descriptors may close at any moment (the
     * jars a compiler held open, closed when the garbage collector drops their class loader).
     */
    public static int openPipeCount() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.filter(FdCount::isPipe).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isPipe(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("pipe:");
        } catch (IOException closedMeanwhile) {
            return false;
        }
    }

    private static boolean countable(Path fd) {
        try {
            String target = Files.readSymbolicLink(fd).toString();
            return !target.startsWith("/proc/") && !target.startsWith("/sys/");
        } catch (IOException closedMeanwhile) {
            return false;
        }
    }

    /**
     * Opens, once, what the JVM and JNA open lazily on first use, so that they do not count as leaks. JNA is
     * warmed up also where the library runs on FFM: the test helpers ({@link RawFds}, {@link Signals}) use JNA,
     * whose first direct-mapped call makes libffi open its closure file ({@code /tmp/ffi*}).
     */
    public static void warmUp() {
        TokenPipe.make().orElseThrow().close();
        RawFds.isOpen(0);
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
    public void beforeEach(ExtensionContext context) throws InterruptedException {
        context.getStore(NAMESPACE).put("targets", openFdTargets());
        context.getStore(NAMESPACE).put("before", settledCount());
    }

    /**
     * Asserts that the count comes back to {@code expected} within two seconds: the JVM itself opens
     * descriptors for a moment at any time (the JIT compiler reads cgroup files such as memory.stat to size
     * its threads), while a leak stays.
     */
    public static void assertBackTo(int expected, String what) {
        assertThat(awaitCount(expected, FdCount::openFdCount)).as("open descriptors after %s (before: %d)", what,
                expected).isEqualTo(expected);
    }

    /** As {@link #assertBackTo}, for {@link #openPipeCount()}. */
    public static void assertPipesBackTo(int expected, String what) {
        assertThat(awaitCount(expected, FdCount::openPipeCount)).as("open pipes after %s (before: %d)", what,
                expected).isEqualTo(expected);
    }

    private static int awaitCount(int expected) {
        return awaitCount(expected, FdCount::openFdCount);
    }

    /** The count once it equals {@code expected}, or after two seconds of waiting for that. */
    private static int awaitCount(int expected, java.util.function.IntSupplier count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        int now = count.getAsInt();
        while (now != expected && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            now = count.getAsInt();
        }
        return now;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        int before = context.getStore(NAMESPACE).get("before", Integer.class);
        int after = awaitCount(before);
        if (after != before) {
            // Say which descriptors differ, so that a leak can be told from something the JVM opened lazily.
            @SuppressWarnings("unchecked")
            Map<Integer, String> was = context.getStore(NAMESPACE).get("targets", Map.class);
            Map<Integer, String> now = openFdTargets();
            Map<Integer, String> opened = new TreeMap<>(now);
            opened.entrySet().removeAll(was.entrySet());
            Map<Integer, String> closed = new TreeMap<>(was);
            closed.entrySet().removeAll(now.entrySet());
            assertThat(after).as("open descriptors after %s (before: %d); opened: %s; closed: %s",
                    context.getDisplayName(), before, opened, closed).isEqualTo(before);
        }
    }

    /** The count once two readings 1 ms apart agree, so that a descriptor open for a moment is not the baseline. */
    private static int settledCount() throws InterruptedException {
        int count = openFdCount();
        for (int round = 0; round < 100; round++) {
            Thread.sleep(1);
            int again = openFdCount();
            if (again == count) {
                return count;
            }
            count = again;
        }
        return count;
    }

    /** fd -> what it refers to ("pipe:[123]", a path), without the listing's own descriptor. */
    private static Map<Integer, String> openFdTargets() {
        String self = "/proc/" + ProcessHandle.current().pid() + "/fd";
        Map<Integer, String> targets = new TreeMap<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(fd -> {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (!target.equals(self)) { // the listing's own descriptor
                        targets.put(Integer.parseInt(fd.getFileName().toString()), target);
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return targets;
    }
}
