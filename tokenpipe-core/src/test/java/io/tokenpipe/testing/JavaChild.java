package io.tokenpipe.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a main class of the test classpath in a fresh JVM and collects its exit code and output. */
public final class JavaChild {
    private JavaChild() {
    }

    /**
     * JVM options under which JNA finds no native support, neither its own nor the system's: "unsupported
     * platform". JNA is forced, as the FFM backend of Java 22+ needs no native library of its own.
     */
    public static final List<String> WITHOUT_NATIVE_SUPPORT = List.of("-Dtokenpipe.native=jna", "-Djna.nosys=true",
            "-Djna.nounpack=true", "-Djna.boot.library.path=/nonexistent");

    /** The java launcher of the running JVM. */
    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * java [this JVM's backend choice and native access] [jvmOptions] -cp (this classpath) mainClass args: a
     * child runs on the backend its parent test runs on, unless {@code jvmOptions} say otherwise.
     */
    public static List<String> command(List<String> jvmOptions, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(inheritedOptions());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** -Dtokenpipe.native and --enable-native-access as this JVM was given them (later options override them). */
    public static List<String> inheritedOptions() {
        List<String> options = new ArrayList<>();
        String backend = System.getProperty("tokenpipe.native");
        if (backend != null) {
            options.add("-Dtokenpipe.native=" + backend);
        }
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (argument.startsWith("--enable-native-access")) {
                options.add(argument);
            }
        }
        return options;
    }

    /** Runs {@code shellPrefix} (e.g. "ulimit -n 64;") then the JVM under sh; waits at most 60 s. */
    public static Result runUnderShell(String shellPrefix, List<String> jvmOptions, Class<?> mainClass, String... args)
            throws IOException, InterruptedException {
        return runUnderShell(shellPrefix, command(jvmOptions, mainClass, args));
    }

    /** Runs {@code shellPrefix} (e.g. "ulimit -n 64;") then {@code command} under sh. */
    public static Result runUnderShell(String shellPrefix, List<String> command) throws IOException, InterruptedException {
        StringBuilder line = new StringBuilder(shellPrefix).append(" exec");
        for (String word : command) {
            line.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        return run(List.of("sh", "-c", line.toString()));
    }

    /** Runs {@code command}; a child still running after 90 s is killed and the test fails with its output. */
    public static Result run(List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("tokenpipe-child", ".out");
        try {
            // Output to a file, not a pipe: a hung child cannot block the reading test past the deadline. stdin is
            // closed here: the JDK closes its pipes only in its reaper thread, which would race an fd count.
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            process.getOutputStream().close();
            boolean finished = process.waitFor(90, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor();
            }
            String text = new String(Files.readAllBytes(output), StandardCharsets.UTF_8); // malformed bytes replaced
            if (!finished) {
                throw new AssertionError("child JVM did not finish within 90 s, killed: " + command + "\n" + text);
            }
            return new Result(process.exitValue(), text);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** The java launcher of a JDK of at least {@code featureVersion} under /usr/lib/jvm, if one is installed. */
    public static java.util.Optional<Path> javaOfAtLeast(int featureVersion) throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return java.util.Optional.empty();
        }
        try (java.util.stream.Stream<Path> homes = Files.list(jvms)) {
            return homes.filter(home -> featureVersion(home) >= featureVersion).map(home -> home.resolve("bin/java"))
                    .filter(Files::isExecutable).sorted().findFirst();
        }
    }

    /** The feature version of the JDK at {@code home} ("25" of JAVA_VERSION="25.0.3" in its release file), or 0. */
    public static int featureVersion(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=\"")) {
                    return Integer.parseInt(line.substring(14).split("[.\"+-]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not a JDK home
        }
        return 0;
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
