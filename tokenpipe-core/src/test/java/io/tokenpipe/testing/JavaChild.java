package io.tokenpipe.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test classpath in a fresh JVM and collects its exit code and output. */
public final class JavaChild {
    private JavaChild() {
    }

    /** The java launcher of the running JVM. */
    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** java [jvmOptions] -cp (this classpath) mainClass args. */
    public static List<String> command(List<String> jvmOptions, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** Runs {@code shellPrefix} (e.g. "ulimit -n 64;") then the JVM under sh; waits at most 60 s. */
    public static Result runUnderShell(String shellPrefix, List<String> jvmOptions, Class<?> mainClass, String... args)
            throws IOException, InterruptedException {
        StringBuilder line = new StringBuilder(shellPrefix).append(" exec");
        for (String word : command(jvmOptions, mainClass, args)) {
            line.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        return run(List.of("sh", "-c", line.toString()));
    }

    public static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Close the three pipes here: the JDK closes them only in its reaper thread, after waitFor() has
        // returned, so an fd count taken right after would race with it.
        try (OutputStream stdin = process.getOutputStream();
             InputStream stdout = process.getInputStream();
             InputStream stderr = process.getErrorStream()) {
            byte[] output = stdout.readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("child JVM did not finish: " + command);
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        }
    }

    /** Exit code and combined stdout/stderr of a finished child. */
    public static final class Result {
        public final int exitCode;
        public final String output;

        Result(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + ":\n" + output;
        }
    }
}
