package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.StuckReader;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A logging backend that fails must cost no message more than itself: not close() (which logs when it finds a thread
 * it cannot wake), not a descriptor, not the Waker. In a child JVM whose {@code System.LoggerFinder} (a service
 * found on its class path) fails either to give a logger or in every {@code log} call.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class FailingLoggerTest {

    @TempDir
    Path services;

    @ParameterizedTest
    @ValueSource(strings = {"lookup", "log"})
    void aLoggingBackendThatFailsCostsNoCloseNoDescriptorAndNoLibraryThread(String failing) throws Exception {
        Path file = services.resolve("META-INF/services/java.lang.System$LoggerFinder");
        Files.createDirectories(file.getParent());
        Files.writeString(file, FailingLoggerFinder.class.getName() + "\n");
        List<String> command = JavaChild.command(List.of("-Dfailing=" + failing), WithAFailingLogger.class);
        int classPath = command.indexOf("-cp") + 1;
        command.set(classPath, services + File.pathSeparator + command.get(classPath));

        JavaChild.Result result = JavaChild.run(command);

        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).as(result.toString()).contains("close returned, open=false", "stuck read=-2",
                "timed read=-3", "descriptors back=true").doesNotContain("logger failures=0");
        assertThat(result.output).containsPattern("logger failures=[1-9]");
    }

    /**
     * For "io.tokenpipe", fails as {@code -Dfailing} says: "lookup" (getLogger throws) or "log" (every message throws);
     * the JDK's own loggers (ProcessBuilder logs on Java 25) get a silent one.
     */
    public static final class FailingLoggerFinder extends System.LoggerFinder {
        static final AtomicInteger FAILURES = new AtomicInteger();

        @Override
        public System.Logger getLogger(String name, Module module) {
            if (!name.equals("io.tokenpipe")) {
                return new TestLogger(name, false);
            }
            if (System.getProperty("failing", "").equals("lookup")) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("this logging backend cannot give a logger");
            }
            return new TestLogger(name, true);
        }
    }

    /** Fails in every message, or (for the JDK's own loggers) logs nothing. */
    private record TestLogger(String getName, boolean fails) implements System.Logger {
        @Override
        public boolean isLoggable(Level level) {
            return fails;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String message, Throwable thrown) {
            failIfFailing();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... parameters) {
            failIfFailing();
        }

        private void failIfFailing() {
            if (fails) {
                FailingLoggerFinder.FAILURES.incrementAndGet();
                throw new IllegalStateException("this logging backend fails");
            }
        }
    }

    /**
     * Closes an end while a reader on it cannot be woken (so close() logs), lets that read end, then checks that a
     * timed read still times out (the Waker lives) and that every descriptor is closed.
     */
    public static final class WithAFailingLogger {
        public static void main(String[] args) throws Exception {
            FdCount.warmUp();
            int before = FdCount.openFdCount();
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
                TokenPipeEnd reader = pipe.takeReadEnd();
                StuckReader stuck = StuckReader.start(reader, "stuck-reader");
                reader.close(); // finds the reader unable to be woken and logs why: the backend fails
                System.out.println("close returned, open=" + reader.isOpen());
                writer.close(); // end of stream ends the stuck read, and its descriptor is closed then
                System.out.println("stuck read=" + stuck.result.get(20, TimeUnit.SECONDS));
            }
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd();
                    TokenPipeEnd writer = pipe.takeWriteEnd()) {
                System.out.println("timed read=" + reader.tokenRead(Duration.ofMillis(100)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (FdCount.openFdCount() != before && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            System.out.println("descriptors back=" + (FdCount.openFdCount() == before));
            System.out.println("logger failures=" + FailingLoggerFinder.FAILURES.get());
        }
    }
}
