package io.tokenpipe.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A NOTIFY_SOCKET receiver that nobody here wrote the socket code of: Python's {@code socket} module
 * (notify_receiver.py beside this class), bound to a path or an abstract name, in a python3 process of its own.
 * It reports every datagram with the sender's pid (SCM_CREDENTIALS), the descriptors passed with it, the time
 * python read it (CLOCK_MONOTONIC, the clock of {@link System#nanoTime()} on Linux) and the time the kernel queued
 * it on the socket (SO_TIMESTAMPNS), which does not depend on when python got to run.
 *
 * <p>No pipes: python's output goes to a file that is polled, and its input is /dev/null, so the receiver adds
 * no descriptor to this JVM that an fd count would see.
 */
public final class NotifyReceiver implements AutoCloseable {
    private static final Duration HANG_GUARD = Duration.ofSeconds(30);

    /**
     * One datagram as the receiver got it.
     *
     * @param monotonicNanos when python's recvmsg returned it (CLOCK_MONOTONIC): late when python was not running
     * @param kernelNanos when the kernel queued it on the receiver's socket, which for AF_UNIX happens in the
     *        sender's sendto (SCM_TIMESTAMPNS, CLOCK_REALTIME): the time to measure the sender's spacing by
     */
    public record Datagram(long monotonicNanos, long kernelNanos, long senderPid, int fds, int flags, byte[] bytes) {
        /** The bytes as UTF-8 text. */
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Datagram[" + text().replace("\n", "\\n") + ", pid=" + senderPid + ", fds=" + fds + "]";
        }
    }

    private final String address;
    private final Process python;
    private final Path output;
    private final Path holdFile;

    private NotifyReceiver(String address, Path workDirectory, boolean hold) throws IOException {
        this.address = address;
        this.output = Files.createTempFile(workDirectory, "notify-receiver", ".out");
        this.holdFile = hold ? workDirectory.resolve("release-" + UUID.randomUUID()) : null;
        Path script = Files.createTempFile(workDirectory, "notify_receiver", ".py");
        try (InputStream source = NotifyReceiver.class.getResourceAsStream("notify_receiver.py")) {
            Files.write(script, source.readAllBytes());
        }
        List<String> command = new ArrayList<>(List.of("python3", script.toString(), address));
        if (hold) {
            command.add(holdFile.toString());
        }
        this.python = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        awaitLine("bound");
    }

    /** A receiver bound to the socket file {@code socket} (which must not exist yet). */
    public static NotifyReceiver atPath(Path socket) throws IOException {
        return new NotifyReceiver(socket.toString(), socket.getParent(), false);
    }

    /** A receiver bound to a fresh name in the abstract namespace; its scratch files go to {@code workDirectory}. */
    public static NotifyReceiver abstractName(Path workDirectory) throws IOException {
        return new NotifyReceiver("@tokenpipe-test-" + UUID.randomUUID(), workDirectory, false);
    }

    /** A receiver at {@code socket} that reads nothing until {@link #release()}: its queue fills up. */
    public static NotifyReceiver holdingAtPath(Path socket) throws IOException {
        return new NotifyReceiver(socket.toString(), socket.getParent(), true);
    }

    /** The address to put in NOTIFY_SOCKET: the path, or @ and the abstract name. */
    public String address() {
        return address;
    }

    /** The receiver's pid. */
    public long pid() {
        return python.pid();
    }

    /** Lets a holding receiver start reading. */
    public void release() throws IOException {
        Files.writeString(holdFile, "go");
        awaitLine("reading");
    }

    /** The datagrams received so far. */
    public List<Datagram> datagrams() {
        List<Datagram> datagrams = new ArrayList<>();
        for (String line : lines()) {
            if (line.startsWith("datagram ")) {
                datagrams.add(parse(line));
            }
        }
        return datagrams;
    }

    /** The first {@code count} datagrams, once that many have arrived; fails after a 30 s hang guard. */
    public List<Datagram> awaitDatagrams(int count) {
        long deadline = System.nanoTime() + HANG_GUARD.toNanos();
        List<Datagram> datagrams = datagrams();
        while (datagrams.size() < count) {
            if (System.nanoTime() > deadline || !python.isAlive()) {
                throw new AssertionError("expected " + count + " datagrams at " + address + ", got " + datagrams
                        + "; receiver output: " + lines());
            }
            pause();
            datagrams = datagrams();
        }
        return datagrams.subList(0, count);
    }

    /** Waits for {@code count} datagrams and gives their texts. */
    public List<String> awaitTexts(int count) {
        return awaitDatagrams(count).stream().map(Datagram::text).toList();
    }

    private void awaitLine(String expected) {
        long deadline = System.nanoTime() + HANG_GUARD.toNanos();
        while (!lines().contains(expected)) {
            if (System.nanoTime() > deadline || !python.isAlive()) {
                close();
                throw new AssertionError("the python receiver at " + address + " did not print \"" + expected
                        + "\": " + lines());
            }
            pause();
        }
    }

    private List<String> lines() {
        try {
            String text = Files.readString(output, StandardCharsets.UTF_8);
            // only complete lines: python may be in the middle of one
            int end = text.lastIndexOf('\n');
            return end < 0 ? List.of() : List.of(text.substring(0, end).split("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Datagram parse(String line) {
        long t = 0;
        long kt = -1;
        long pid = 0;
        int fds = 0;
        int flags = 0;
        byte[] bytes = new byte[0];
        for (String field : line.substring("datagram ".length()).split(" ")) {
            String value = field.substring(field.indexOf('=') + 1);
            switch (field.substring(0, field.indexOf('='))) {
                case "t" -> t = Long.parseLong(value);
                case "kt" -> kt = Long.parseLong(value);
                case "pid" -> pid = Long.parseLong(value);
                case "fds" -> fds = Integer.parseInt(value);
                case "flags" -> flags = Integer.parseInt(value);
                case "hex" -> bytes = HexFormat.of().parseHex(value);
                default -> throw new IllegalStateException("unknown field in " + line);
            }
        }
        if (kt <= 0) {
            throw new AssertionError("no kernel receive time (SCM_TIMESTAMPNS) in " + line);
        }
        return new Datagram(t, kt, pid, fds, flags, bytes);
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the receiver", e);
        }
    }

    /** Stops python (SIGTERM, then SIGKILL after 10 s). The socket file of a path receiver stays. */
    @Override
    public void close() {
        python.destroy();
        try {
            if (!python.waitFor(10, TimeUnit.SECONDS)) {
                python.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
