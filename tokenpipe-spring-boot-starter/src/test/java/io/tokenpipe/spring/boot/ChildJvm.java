package io.tokenpipe.spring.boot;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tokenpipe.testing.JavaChild;

/**
 * A JVM of this test class path started as a real process ({@code java -cp ... Main args}), its output and errors
 * in a file (no pipes to this JVM), standard input from /dev/null, in a directory of the test's. Every process
 * it started or was told of is killed by {@link #close()}.
 */
final class ChildJvm implements AutoCloseable {

    /** Quick to start; the children only start Boot. */
    static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private static final Duration HANG_GUARD = Duration.ofSeconds(90);

    private final Process process;

    private final Path output;

    private final List<Long> tracked = new ArrayList<>();

    private ChildJvm(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    static ChildJvm start(Path directory, String name, Map<String, String> environment, Class<?> mainClass,
            String... args) throws IOException {
        return startCommand(directory, name, environment, JavaChild.command(JVM_OPTIONS, mainClass, args));
    }

    /** As {@link #start}, for any command (a shell that execs a JVM). */
    static ChildJvm startCommand(Path directory, String name, Map<String, String> environment, List<String> command)
            throws IOException {
        Path output = directory.resolve(name + ".out");
        ProcessBuilder builder = new ProcessBuilder(command)
            .directory(directory.toFile())
            .redirectInput(new File("/dev/null"))
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
        builder.environment().putAll(environment);
        return new ChildJvm(builder.start(), output);
    }

    Process process() {
        return this.process;
    }

    long pid() {
        return this.process.pid();
    }

    /** What it printed so far. */
    String text() {
        try {
            return Files.readString(this.output, StandardCharsets.UTF_8);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The first group of {@code pattern} once it appears in the output; fails after the hang guard. */
    String await(Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + HANG_GUARD.toNanos();
        while (true) {
            Matcher matcher = pattern.matcher(text());
            if (matcher.find()) {
                return matcher.group(1);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + pattern + " in the output of pid " + pid() + ": " + text());
            }
            Thread.sleep(10);
        }
    }

    /** The exit code; fails after the hang guard. */
    int awaitExit() throws InterruptedException {
        if (!this.process.waitFor(HANG_GUARD.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("pid " + pid() + " did not exit: " + text());
        }
        return this.process.exitValue();
    }

    /** Remembers another process (a detached copy) to kill at the end. */
    long track(long pid) {
        this.tracked.add(pid);
        return pid;
    }

    /** Waits until {@code pid} is gone (not even a zombie of this JVM); fails after the hang guard. */
    static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + HANG_GUARD.toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && !isZombie(pid)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("pid " + pid + " is still running");
            }
            Thread.sleep(10);
        }
    }

    private static boolean isZombie(long pid) {
        String[] stat = io.tokenpipe.testing.Processes.stat(pid);
        return stat == null || stat[0].equals("Z") || stat[0].equals("X");
    }

    @Override
    public void close() throws InterruptedException {
        for (long pid : this.tracked) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        this.process.destroyForcibly();
        this.process.waitFor();
    }

}
