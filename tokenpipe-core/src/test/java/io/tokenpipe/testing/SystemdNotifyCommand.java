package io.tokenpipe.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * systemd's own sender, {@code systemd-notify} (Debian package {@code systemd}; {@code .ci/run} installs it): the
 * reference for what a NOTIFY_SOCKET receiver gets from libsystemd's sd_notify.
 */
public final class SystemdNotifyCommand {
    private static final Path EXECUTABLE = Path.of("/usr/bin/systemd-notify");

    private SystemdNotifyCommand() {
    }

    /** What a run printed and how it ended. */
    public record Run(int exitCode, String output) {
    }

    /** Runs {@code systemd-notify args} with NOTIFY_SOCKET={@code address}; fails if it is not installed. */
    public static Run run(String address, String... args) throws IOException, InterruptedException {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new AssertionError(EXECUTABLE + " is missing: install the Debian package systemd (.ci/run does)");
        }
        List<String> command = new ArrayList<>(List.of(EXECUTABLE.toString()));
        command.addAll(List.of(args));
        Path output = Files.createTempFile("systemd-notify", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectOutput(output.toFile());
            builder.environment().put("NOTIFY_SOCKET", address);
            Process process = builder.start();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("systemd-notify " + String.join(" ", args) + " hung: "
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
