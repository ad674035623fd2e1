package io.tokenpipe;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.posix.SockaddrUn;
import io.tokenpipe.internal.posix.UnixDatagram;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Tells systemd, or any service manager that speaks its notification protocol, how this service is doing:
 * sd_notify(3) without libsystemd. systemd passes the address of its notification socket in the environment
 * variable {@value #NOTIFY_SOCKET} (a path, or {@code @name} for a name in Linux's abstract namespace) to a
 * service with {@code Type=notify} or {@code NotifyAccess=}; each message is one datagram of newline-separated
 * {@code KEY=VALUE} assignments, such as {@code READY=1} or {@code STATUS=Loading the index}.
 *
 * <pre>{@code
 * Optional<SystemdNotifier> systemd = SystemdNotifier.fromEnvironment();
 * // ... start up ...
 * systemd.ifPresent(notifier -> {
 *     SystemdNotifier.Result result = notifier.send("READY=1\nSTATUS=Serving on port 8080");
 *     if (!result.isSent()) {
 *         log.warn("systemd was not told that this service is ready: " + result);
 *     }
 * });
 * }</pre>
 *
 * <p>Every message is sent as sd_notify sends it: a fresh AF_UNIX datagram socket, close-on-exec from its first
 * instant ({@code SOCK_CLOEXEC}), one {@code sendto} of the whole message, and close. No descriptor stays open
 * between messages. A send never throws for something the receiver or the system did: it returns a
 * {@link Result} that says whether the message went and, if not, why. Only a malformed message (a programming
 * error) is refused with an exception.
 *
 * <p>Where it works: Linux (tested), and macOS by its headers (untested; no abstract names there). Elsewhere, and
 * where the native layer cannot load, every send fails with a {@link Result} that gives the reason.
 *
 * <p>Thread safety: instances are immutable; every method may be called from any thread.
 */
public final class SystemdNotifier {
    /** The environment variable with the address of the notification socket. */
    public static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";
    /** The environment variable with the watchdog timeout in microseconds ({@code WatchdogSec=} of the unit). */
    public static final String WATCHDOG_USEC = "WATCHDOG_USEC";
    /** The environment variable with the pid of the process that is to send the watchdog messages. */
    public static final String WATCHDOG_PID = "WATCHDOG_PID";
    /**
     * The longest message systemd reads, in bytes: it receives into a buffer of PIPE_BUF (4096) bytes and ignores
     * a message that does not fit (NOTIFY_BUFFER_MAX in src/core/manager.c).
     */
    public static final int MAX_MESSAGE_BYTES = 4096;
    /** How long a send waits, by default, for room in the receiver's queue before it fails with EAGAIN. */
    public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(5);

    private final String socket;
    /** Null when {@link #socket} cannot be used; {@link #invalidReason} says why. */
    private final SockaddrUn address;
    private final String invalidReason;
    /** Null when this process is not to send watchdog messages. */
    private final Duration watchdogTimeout;
    private final Duration sendTimeout;

    private SystemdNotifier(String socket, SockaddrUn address, String invalidReason, Duration watchdogTimeout,
            Duration sendTimeout) {
        this.socket = socket;
        this.address = address;
        this.invalidReason = invalidReason;
        this.watchdogTimeout = watchdogTimeout;
        this.sendTimeout = sendTimeout;
    }

    /**
     * The notifier that this process's environment asks for. Loads nothing native.
     *
     * @return empty when {@value #NOTIFY_SOCKET} is unset or empty (no service manager is listening); otherwise a
     *         notifier for its address. An address that cannot be used (a relative path, a name too long for
     *         sockaddr_un, a {@code vsock:} address) does not throw: every send then fails with a {@link Result}
     *         that names the value and the rule.
     * @see #fromEnvironment(Map)
     */
    public static Optional<SystemdNotifier> fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * The notifier that {@code environment} asks for, as {@link #fromEnvironment()} reads this process's own.
     * The watchdog is on, as for sd_watchdog_enabled(3), when {@value #WATCHDOG_USEC} holds a positive number of
     * microseconds and {@value #WATCHDOG_PID} is unset or holds this process's pid; a value that is not a number
     * leaves it off.
     *
     * @param environment variable names to values, such as {@link System#getenv()}
     * @return empty when {@value #NOTIFY_SOCKET} is unset or empty in {@code environment}
     */
    public static Optional<SystemdNotifier> fromEnvironment(Map<String, String> environment) {
        String socket = environment.get(NOTIFY_SOCKET);
        if (socket == null || socket.isEmpty()) {
            return Optional.empty();
        }
        Duration watchdog = watchdogTimeout(environment.get(WATCHDOG_USEC), environment.get(WATCHDOG_PID));
        try {
            return Optional.of(new SystemdNotifier(socket, parse(socket), null, watchdog, DEFAULT_SEND_TIMEOUT));
        } catch (IllegalArgumentException unusable) {
            return Optional.of(new SystemdNotifier(socket, null, NOTIFY_SOCKET + "=" + socket + " cannot be used: "
                    + unusable.getMessage(), watchdog, DEFAULT_SEND_TIMEOUT));
        }
    }

    /**
     * A notifier for the socket at {@code socket}, without a watchdog. Loads nothing native.
     *
     * @param socket an absolute path, or {@code @} and a name in the abstract namespace (Linux), as in
     *        {@value #NOTIFY_SOCKET}
     * @return the notifier
     * @throws IllegalArgumentException naming the value and the rule, when it is neither, or does not fit in a
     *         sockaddr_un (107 bytes on Linux, 103 on macOS)
     */
    public static SystemdNotifier forSocket(String socket) {
        Objects.requireNonNull(socket, "socket");
        try {
            return new SystemdNotifier(socket, parse(socket), null, null, DEFAULT_SEND_TIMEOUT);
        } catch (IllegalArgumentException unusable) {
            throw new IllegalArgumentException("socket \"" + socket + "\": " + unusable.getMessage(), unusable);
        }
    }

    /**
     * This notifier with another send timeout.
     *
     * @param timeout how long each send waits for room while the receiver's queue is full (sd_notify would wait
     *        for ever); zero to fail at once
     * @return a notifier for the same socket and watchdog
     * @throws IllegalArgumentException when {@code timeout} is negative
     */
    public SystemdNotifier withSendTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("send timeout " + timeout + " is negative; use zero or more");
        }
        return new SystemdNotifier(socket, address, invalidReason, watchdogTimeout, timeout);
    }

    private static SockaddrUn parse(String socket) {
        if (socket.startsWith("vsock:")) {
            throw new IllegalArgumentException("AF_VSOCK addresses are not supported; an absolute path or @name is");
        }
        boolean abstractName = socket.startsWith("@");
        if (!abstractName && !socket.startsWith("/")) {
            throw new IllegalArgumentException("it must be an absolute path, or @ and a name in the abstract namespace");
        }
        if (abstractName && !UnixDatagram.hasAbstractNamespace()) {
            throw new IllegalArgumentException("abstract socket names exist on Linux only");
        }
        // The JVM decoded the environment (and file names) with this charset: encoding with it gives the bytes back.
        byte[] name = (abstractName ? socket.substring(1) : socket).getBytes(environmentCharset());
        return UnixDatagram.address(name, abstractName);
    }

    private static Charset environmentCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (IllegalArgumentException unknown) {
            return Charset.defaultCharset();
        }
    }

    private static Duration watchdogTimeout(String usec, String pid) {
        if (usec == null || usec.isEmpty()) {
            return null;
        }
        try {
            long micros = Long.parseLong(usec.trim());
            if (micros <= 0) {
                return null;
            }
            if (pid != null && !pid.isEmpty() && Long.parseLong(pid.trim()) != ProcessHandle.current().pid()) {
                return null; // another process of the service sends them
            }
            return Duration.ofNanos(Math.multiplyExact(micros, 1000L));
        } catch (NumberFormatException | ArithmeticException notANumber) {
            return null;
        }
    }

    /**
     * The address as given: a path, or {@code @} and an abstract name.
     *
     * @return the value of {@value #NOTIFY_SOCKET}, or the argument of {@link #forSocket(String)}
     */
    public String socket() {
        return socket;
    }

    /**
     * The watchdog timeout that the service manager asked this process to honour ({@code WatchdogSec=}): send
     * {@link #watchdog()} well within it, sd_watchdog_enabled(3) suggests every half of it, or the service manager
     * considers the service hung and acts on it (by default it kills it).
     *
     * @return the timeout; empty when there is no watchdog, or it is another process's job ({@value #WATCHDOG_PID})
     */
    public Optional<Duration> watchdogTimeout() {
        return Optional.ofNullable(watchdogTimeout);
    }

    /**
     * How long a send waits for room in the receiver's queue.
     *
     * @return {@link #DEFAULT_SEND_TIMEOUT} unless set with {@link #withSendTimeout(Duration)}
     */
    public Duration sendTimeout() {
        return sendTimeout;
    }

    /**
     * Sends {@code state} as one datagram: one or more {@code KEY=VALUE} assignments separated by newlines, in
     * UTF-8, as sd_notify(3) takes them ({@code "READY=1\nSTATUS=Serving"}).
     *
     * @param state the assignments
     * @return whether it was sent: the receiver got it whole, or nothing; never throws for a failure of the
     *         system or the receiver (ECONNREFUSED: nobody reads at the address; ENOENT: no socket there; EAGAIN:
     *         the receiver's queue stayed full for {@link #sendTimeout()})
     * @throws IllegalArgumentException naming the rule, when {@code state} is empty, holds a line that is not an
     *         assignment, holds a NUL character (systemd drops such messages), or is longer than
     *         {@value #MAX_MESSAGE_BYTES} bytes (systemd ignores longer ones)
     */
    public Result send(String state) {
        byte[] message = checkState(state);
        if (address == null) {
            return new Result(0, invalidReason);
        }
        int outcome;
        try {
            outcome = UnixDatagram.send(address, message, sendTimeout.toNanos());
        } catch (UnsupportedOperationException unsupported) {
            return new Result(0, "cannot notify " + socket + ": " + unsupported.getMessage());
        } catch (LinkageError missing) { // the C library lacks socket or sendto: not seen, but never fatal here
            return new Result(0, "cannot notify " + socket + ": " + missing);
        }
        if (outcome == 0) {
            return Result.SENT;
        }
        int errno = Math.abs(outcome);
        return new Result(errno, (outcome < 0 ? "socket(AF_UNIX, SOCK_DGRAM)" : "sendto(" + socket + ")")
                + " failed: " + Errno.describe(errno));
    }

    private static byte[] checkState(String state) {
        Objects.requireNonNull(state, "state");
        if (state.isEmpty()) {
            throw new IllegalArgumentException("the state to send is empty; send KEY=VALUE lines such as READY=1");
        }
        if (state.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the state to send contains a NUL character, and systemd drops such"
                    + " messages: " + printable(state));
        }
        String body = state.endsWith("\n") ? state.substring(0, state.length() - 1) : state;
        for (String line : body.split("\n", -1)) {
            if (line.indexOf('=') <= 0) {
                throw new IllegalArgumentException("line \"" + printable(line) + "\" of the state to send is not a"
                        + " KEY=VALUE assignment (one per line, such as READY=1)");
            }
        }
        byte[] message = state.getBytes(StandardCharsets.UTF_8);
        if (message.length > MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException("the state to send is " + message.length + " bytes in UTF-8; systemd"
                    + " ignores messages longer than " + MAX_MESSAGE_BYTES + " bytes");
        }
        return message;
    }

    private static String printable(String text) {
        String shown = text.replace("\0", "\\0").replace("\n", "\\n");
        return shown.length() <= 80 ? shown : shown.substring(0, 80) + "...";
    }

    /**
     * Sends {@code READY=1}: start-up is finished and the service is ready to serve (with {@code Type=notify},
     * systemd starts the units that wait for this one).
     *
     * @return whether it was sent, as for {@link #send(String)}
     */
    public Result ready() {
        return send("READY=1");
    }

    /**
     * Sends {@code STOPPING=1}: the service has begun to shut down.
     *
     * @return whether it was sent, as for {@link #send(String)}
     */
    public Result stopping() {
        return send("STOPPING=1");
    }

    /**
     * Sends {@code STATUS=text}, which {@code systemctl status} shows.
     *
     * @param text one line for people, such as "Loading the index"
     * @return whether it was sent, as for {@link #send(String)}
     * @throws IllegalArgumentException when {@code text} contains a line break (it would end the assignment), a
     *         NUL character, or is too long for one message
     */
    public Result status(String text) {
        Objects.requireNonNull(text, "text");
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("status \"" + printable(text) + "\" contains a line break; a STATUS"
                    + " is one line");
        }
        return send("STATUS=" + text);
    }

    /**
     * Sends {@code MAINPID=pid}: the process that systemd is to watch as the main process of the service, when it
     * is not the one it started (a daemon that has put itself in the background).
     *
     * @param pid the process id, 1 or more
     * @return whether it was sent, as for {@link #send(String)}
     * @throws IllegalArgumentException when {@code pid} is not positive
     */
    public Result mainPid(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("MAINPID " + pid + " is not a process id (1 or more)");
        }
        return send("MAINPID=" + pid);
    }

    /**
     * Sends {@code ERRNO=errno}: the errno-style code of the failure of this service, such as 2 (ENOENT).
     *
     * @param errno the error number, 0 or more
     * @return whether it was sent, as for {@link #send(String)}
     * @throws IllegalArgumentException when {@code errno} is negative (systemd ignores negative values)
     */
    public Result errno(int errno) {
        if (errno < 0) {
            throw new IllegalArgumentException("ERRNO " + errno + " is negative; errno values are 0 or more");
        }
        return send("ERRNO=" + errno);
    }

    /**
     * Sends {@code WATCHDOG=1}: the service is alive. Send it at least every half of {@link #watchdogTimeout()},
     * and only while the service is healthy: stopping is how a hung service gets restarted.
     *
     * @return whether it was sent, as for {@link #send(String)}
     */
    public Result watchdog() {
        return send("WATCHDOG=1");
    }

    /**
     * Sends {@code EXTEND_TIMEOUT_USEC=n}: asks for {@code extension} more time for the start-up or shut-down in
     * progress, counted from now, before systemd gives up on it.
     *
     * @param extension the extra time, 1 microsecond or more
     * @return whether it was sent, as for {@link #send(String)}
     * @throws IllegalArgumentException when {@code extension} is shorter than 1 microsecond
     */
    public Result extendTimeout(Duration extension) {
        Objects.requireNonNull(extension, "extension");
        long micros = extension.toNanos() / 1000;
        if (micros <= 0) {
            throw new IllegalArgumentException("timeout extension " + extension + " is shorter than 1 microsecond");
        }
        return send("EXTEND_TIMEOUT_USEC=" + micros);
    }

    /** "SystemdNotifier[socket=/run/systemd/notify, watchdog=PT30S]". */
    @Override
    public String toString() {
        return "SystemdNotifier[socket=" + socket + (watchdogTimeout == null ? "" : ", watchdog=" + watchdogTimeout)
                + (invalidReason == null ? "" : ", unusable") + "]";
    }

    /**
     * Whether a message was sent and, if not, why: the outcome of one send. Immutable.
     */
    public static final class Result {
        private static final Result SENT = new Result(0, null);

        private final int errno;
        private final String failure;

        private Result(int errno, String failure) {
            this.errno = errno;
            this.failure = failure;
        }

        /**
         * Whether the message was sent.
         *
         * @return true when the receiver's socket took the whole datagram
         */
        public boolean isSent() {
            return failure == null;
        }

        /**
         * The errno of the system call that failed.
         *
         * @return the number (ECONNREFUSED 111, ENOENT 2, EAGAIN 11 on Linux); 0 when the message was sent, or
         *         when it failed before any system call (an unusable address, no native layer)
         */
        public int errno() {
            return errno;
        }

        /**
         * Why the message was not sent, for people: the call, the address and the error.
         *
         * @return such as {@code "sendto(/run/systemd/notify) failed: ECONNREFUSED (Connection refused)"}; empty
         *         when it was sent
         */
        public Optional<String> failure() {
            return Optional.ofNullable(failure);
        }

        /** "sent", or the failure. */
        @Override
        public String toString() {
            return failure == null ? "sent" : failure;
        }
    }
}
