package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.NotifyReceiver;
import io.tokenpipe.testing.NotifyReceiver.Datagram;
import io.tokenpipe.testing.SystemdNotifyCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * SystemdNotifier against a receiver nobody here wrote (Python's socket module) and against systemd's own sender
 * (systemd-notify) into the same receiver: bytes on the wire, the sender's pid, errno of every failure, and no
 * descriptor left open.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class SystemdNotifierTest {
    private static final long PID = ProcessHandle.current().pid();
    private static final int ECONNREFUSED = 111;
    private static final int ENOENT = 2;
    private static final int EAGAIN = 11;

    @TempDir
    Path temp;

    @Test
    void readyIsOneDatagramOfExactlyReadyEqualsOneFromThisProcess() throws Exception {
        try (NotifyReceiver receiver = NotifyReceiver.atPath(temp.resolve("notify.sock"))) {
            SystemdNotifier.Result result = SystemdNotifier.forSocket(receiver.address()).ready();

            assertThat(result.isSent()).as(result.toString()).isTrue();
            assertThat(result.errno()).isZero();
            assertThat(result.failure()).isEmpty();
            Datagram datagram = receiver.awaitDatagrams(1).get(0);
            assertThat(datagram.bytes()).isEqualTo("READY=1".getBytes(StandardCharsets.US_ASCII));
            assertThat(datagram.senderPid()).isEqualTo(PID); // what systemd's NotifyAccess=main checks
            assertThat(datagram.fds()).isZero();
            assertThat(datagram.flags()).isZero(); // neither MSG_TRUNC nor MSG_CTRUNC
        }
    }

    @Test
    void anAbstractNameIsReachedWithoutASocketFile() throws Exception {
        try (NotifyReceiver receiver = NotifyReceiver.abstractName(temp)) {
            assertThat(receiver.address()).startsWith("@");
            SystemdNotifier notifier = SystemdNotifier.forSocket(receiver.address());

            assertThat(notifier.send("READY=1\nSTATUS=Serving").isSent()).isTrue();

            Datagram datagram = receiver.awaitDatagrams(1).get(0);
            assertThat(datagram.text()).isEqualTo("READY=1\nSTATUS=Serving");
            assertThat(datagram.senderPid()).isEqualTo(PID);
        }
        try (var entries = Files.list(temp)) {
            assertThat(entries.filter(path -> !Files.isRegularFile(path))).as("sockets in the temp dir").isEmpty();
        }
    }

    @Test
    void everyMessageKindHasTheBytesSystemdDocuments() throws Exception {
        try (NotifyReceiver receiver = NotifyReceiver.atPath(temp.resolve("notify.sock"))) {
            SystemdNotifier notifier = SystemdNotifier.forSocket(receiver.address());

            assertThat(List.of(notifier.ready(), notifier.status("Loading the index: 42% done"), notifier.stopping(),
                    notifier.mainPid(4242), notifier.errno(2), notifier.watchdog(),
                    notifier.extendTimeout(Duration.ofSeconds(90)), notifier.status("Grüße"),
                    notifier.send("STATUS=trailing newline\n"))).allMatch(SystemdNotifier.Result::isSent);

            List<Datagram> datagrams = receiver.awaitDatagrams(9);
            assertThat(datagrams).extracting(Datagram::text).containsExactly("READY=1",
                    "STATUS=Loading the index: 42% done", "STOPPING=1", "MAINPID=4242", "ERRNO=2", "WATCHDOG=1",
                    "EXTEND_TIMEOUT_USEC=90000000", "STATUS=Grüße", "STATUS=trailing newline\n");
            assertThat(datagrams.get(7).bytes()).as("UTF-8").isEqualTo("STATUS=Grüße".getBytes(StandardCharsets.UTF_8));
            assertThat(datagrams).allSatisfy(datagram -> assertThat(datagram.senderPid()).isEqualTo(PID));
        }
    }

    @Test
    void theReceiverGetsFromUsExactlyWhatItGetsFromSystemdNotify() throws Exception {
        for (boolean abstractName : new boolean[] {false, true}) {
            try (NotifyReceiver receiver = abstractName ? NotifyReceiver.abstractName(temp)
                    : NotifyReceiver.atPath(temp.resolve("reference.sock"))) {
                SystemdNotifyCommand.Run reference = SystemdNotifyCommand.run(receiver.address(), "--ready",
                        "--status=Serving on port 8080");
                assertThat(reference.exitCode()).as("systemd-notify: %s", reference.output()).isZero();
                // systemd-notify sends the state, then BARRIER=1 with a pipe end whose closing it waits for
                List<Datagram> fromSystemd = receiver.awaitDatagrams(2);
                assertThat(fromSystemd.get(0).text()).isEqualTo("READY=1\nSTATUS=Serving on port 8080");
                assertThat(fromSystemd.get(1).text()).isEqualTo("BARRIER=1");
                assertThat(fromSystemd.get(1).fds()).isEqualTo(1);

                assertThat(SystemdNotifier.forSocket(receiver.address()).send("READY=1\nSTATUS=Serving on port 8080")
                        .isSent()).isTrue();

                Datagram fromUs = receiver.awaitDatagrams(3).get(2);
                assertThat(fromUs.bytes()).as(receiver.address()).isEqualTo(fromSystemd.get(0).bytes());
                assertThat(fromUs.fds()).isZero();
                assertThat(fromUs.flags()).isEqualTo(fromSystemd.get(0).flags());
            }
        }
    }

    @Test
    void systemdNotifyAndWeSendReadyAloneTheSameWay() throws Exception {
        try (NotifyReceiver receiver = NotifyReceiver.atPath(temp.resolve("reference.sock"))) {
            assertThat(SystemdNotifyCommand.run(receiver.address(), "--ready").exitCode()).isZero();
            assertThat(SystemdNotifier.forSocket(receiver.address()).ready().isSent()).isTrue();

            List<Datagram> datagrams = receiver.awaitDatagrams(3);
            assertThat(datagrams.get(0).bytes()).isEqualTo(datagrams.get(2).bytes()).isEqualTo("READY=1".getBytes());
        }
    }

    @Test
    void aMessageOfTheLongestLengthSystemdReadsArrivesWhole() throws Exception {
        try (NotifyReceiver receiver = NotifyReceiver.atPath(temp.resolve("notify.sock"))) {
            String state = "STATUS=" + "x".repeat(SystemdNotifier.MAX_MESSAGE_BYTES - "STATUS=".length());

            assertThat(SystemdNotifier.forSocket(receiver.address()).send(state).isSent()).isTrue();

            Datagram datagram = receiver.awaitDatagrams(1).get(0);
            assertThat(datagram.bytes()).hasSize(4096);
            assertThat(datagram.text()).isEqualTo(state);
        }
    }

    @Test
    void aPathWithoutASocketFailsWithEnoent() {
        SystemdNotifier.Result result = SystemdNotifier.forSocket(temp.resolve("nobody.sock").toString()).ready();

        assertThat(result.isSent()).isFalse();
        assertThat(result.errno()).isEqualTo(ENOENT);
        assertThat(result.failure()).hasValue("sendto(" + temp.resolve("nobody.sock")
                + ") failed: ENOENT (No such file or directory)");
        assertThat(result).hasToString(result.failure().orElseThrow());
    }

    @Test
    void aSocketFileNobodyReadsFailsWithEconnrefused() throws Exception {
        Path socket = temp.resolve("stale.sock");
        NotifyReceiver.atPath(socket).close(); // the file stays, bound to nobody, as after a crashed manager
        assertThat(socket).exists();

        SystemdNotifier.Result result = SystemdNotifier.forSocket(socket.toString()).ready();

        assertThat(result.errno()).isEqualTo(ECONNREFUSED);
        assertThat(result.failure()).get().asString().contains("ECONNREFUSED (Connection refused)");
    }

    @Test
    void anAbstractNameNobodyHoldsFailsWithEconnrefused() {
        SystemdNotifier.Result result = SystemdNotifier.forSocket("@tokenpipe-test-nobody-" + PID).ready();

        assertThat(result.isSent()).isFalse();
        assertThat(result.errno()).isEqualTo(ECONNREFUSED);
        assertThat(result.failure()).get().asString().startsWith("sendto(@tokenpipe-test-nobody-" + PID + ") failed");
    }

    @Test
    void aFullQueueFailsWithEagainAfterTheSendTimeoutAndLosesNothingItReportedSent() throws Exception {
        try (NotifyReceiver receiver = NotifyReceiver.holdingAtPath(temp.resolve("held.sock"))) {
            SystemdNotifier notifier = SystemdNotifier.forSocket(receiver.address())
                    .withSendTimeout(Duration.ofMillis(200));
            int sent = 0;
            SystemdNotifier.Result result;
            while ((result = notifier.send("STATUS=" + sent)).isSent()) {
                sent++;
                assertThat(sent).as("datagrams the held receiver's queue took").isLessThan(100_000);
            }
            assertThat(result.errno()).isEqualTo(EAGAIN);
            assertThat(result.failure()).get().asString().contains("EAGAIN");

            receiver.release();
            assertThat(notifier.send("STATUS=after").isSent()).isTrue();

            List<String> texts = receiver.awaitTexts(sent + 1);
            for (int i = 0; i < sent; i++) {
                assertThat(texts.get(i)).isEqualTo("STATUS=" + i);
            }
            assertThat(texts.get(sent)).as("the refused message never arrives").isEqualTo("STATUS=after");
        }
    }

    @Test
    void aSendWaitsForRoomWhileTheReceiverCatchesUp() throws Exception {
        try (NotifyReceiver receiver = NotifyReceiver.holdingAtPath(temp.resolve("held.sock"))) {
            SystemdNotifier quick = SystemdNotifier.forSocket(receiver.address()).withSendTimeout(Duration.ZERO);
            int sent = 0;
            while (quick.send("STATUS=" + sent).isSent()) {
                sent++;
            }
            SystemdNotifier patient = SystemdNotifier.forSocket(receiver.address());
            assertThat(patient.sendTimeout()).isEqualTo(SystemdNotifier.DEFAULT_SEND_TIMEOUT);
            CompletableFuture<SystemdNotifier.Result> ready = CompletableFuture.supplyAsync(patient::ready);
            Thread.sleep(100);
            receiver.release();

            assertThat(ready.get(30, TimeUnit.SECONDS).isSent()).as(ready.get().toString()).isTrue();
            assertThat(receiver.awaitTexts(sent + 1).get(sent)).isEqualTo("READY=1");
        }
    }

    @Test
    void theCallersInterruptStatusIsLeftAsItWas() throws Exception {
        try (NotifyReceiver receiver = NotifyReceiver.holdingAtPath(temp.resolve("held.sock"))) {
            SystemdNotifier notifier = SystemdNotifier.forSocket(receiver.address())
                    .withSendTimeout(Duration.ofMillis(100));
            Thread.currentThread().interrupt();
            try {
                assertThat(notifier.ready().isSent()).isTrue();
                assertThat(Thread.currentThread().isInterrupted()).as("after a send").isTrue();
                SystemdNotifier.Result result;
                do {
                    result = notifier.watchdog(); // until the queue is full: then it waits, interrupted
                } while (result.isSent());
                assertThat(result.errno()).isEqualTo(EAGAIN);
                assertThat(Thread.currentThread().isInterrupted()).as("after a wait for room").isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void fromEnvironmentNeedsNotifySocket() {
        assertThat(SystemdNotifier.fromEnvironment(Map.of())).isEmpty();
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", ""))).isEmpty();
        assertThat(SystemdNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "1000000"))).isEmpty();

        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/run/systemd/notify"))
                .orElseThrow();
        assertThat(notifier.socket()).isEqualTo("/run/systemd/notify");
        assertThat(notifier.watchdogTimeout()).isEmpty();
        assertThat(notifier).hasToString("SystemdNotifier[socket=/run/systemd/notify]");
    }

    @Test
    void theWatchdogIsThisProcesssWhenWatchdogPidIsUnsetOrNamesIt() {
        String socket = "/run/systemd/notify";
        assertThat(watchdog(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "30000000"))).hasValue(Duration.ofSeconds(30));
        assertThat(watchdog(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "1500", "WATCHDOG_PID", Long.toString(PID))))
                .hasValue(Duration.ofNanos(1_500_000));
        assertThat(watchdog(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "30000000", "WATCHDOG_PID",
                Long.toString(PID + 1)))).as("another process's job").isEmpty();
        assertThat(watchdog(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "0"))).isEmpty();
        assertThat(watchdog(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "-5"))).isEmpty();
        assertThat(watchdog(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "30s"))).isEmpty();
        assertThat(watchdog(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "10", "WATCHDOG_PID", "self"))).isEmpty();
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", socket, "WATCHDOG_USEC", "2000000"))
                .orElseThrow()).hasToString("SystemdNotifier[socket=/run/systemd/notify, watchdog=PT2S]");
    }

    private static java.util.Optional<Duration> watchdog(Map<String, String> environment) {
        return SystemdNotifier.fromEnvironment(environment).orElseThrow().watchdogTimeout();
    }

    @Test
    void anUnusableNotifySocketFromTheEnvironmentFailsEverySendWithTheReason() {
        String tooLong = "/" + "d".repeat(107);
        Map<String, String> reasons = Map.of(
                "run/systemd/notify", "it must be an absolute path, or @ and a name in the abstract namespace",
                "vsock:2:1234", "AF_VSOCK addresses are not supported",
                "@", "the abstract socket name is empty",
                tooLong, "is 108 bytes long; sun_path holds at most 107");
        reasons.forEach((value, reason) -> {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", value)).orElseThrow();
            SystemdNotifier.Result result = notifier.ready();
            assertThat(result.isSent()).isFalse();
            assertThat(result.errno()).isZero();
            assertThat(result.failure()).get().asString().startsWith("NOTIFY_SOCKET=" + value + " cannot be used: ")
                    .contains(reason);
            assertThat(notifier.toString()).endsWith(", unusable]");
        });
    }

    @Test
    void forSocketRefusesAnUnusableAddressNamingIt() {
        assertThatIllegalArgumentException().isThrownBy(() -> SystemdNotifier.forSocket("notify.sock"))
                .withMessage("socket \"notify.sock\": it must be an absolute path, or @ and a name in the abstract"
                        + " namespace");
        assertThatIllegalArgumentException().isThrownBy(() -> SystemdNotifier.forSocket("/" + "d".repeat(107)))
                .withMessageContaining("is 108 bytes long; sun_path holds at most 107");
        assertThat(SystemdNotifier.forSocket("/" + "d".repeat(106)).socket()).hasSize(107);
        assertThat(SystemdNotifier.forSocket("@" + "a".repeat(107)).socket()).hasSize(108);
        assertThatIllegalArgumentException().isThrownBy(() -> SystemdNotifier.forSocket("@" + "a".repeat(108)))
                .withMessageContaining("abstract socket name is 108 bytes long");
    }

    @Test
    void malformedMessagesAreRefusedNamingTheRule() {
        SystemdNotifier notifier = SystemdNotifier.forSocket(temp.resolve("unused.sock").toString());
        assertThatIllegalArgumentException().isThrownBy(() -> notifier.send(""))
                .withMessageContaining("empty");
        assertThatIllegalArgumentException().isThrownBy(() -> notifier.send("READY=1\0"))
                .withMessageContaining("NUL character").withMessageContaining("READY=1\\0");
        assertThatIllegalArgumentException().isThrownBy(() -> notifier.send("READY=1\nhello"))
                .withMessage("line \"hello\" of the state to send is not a KEY=VALUE assignment (one per line, such"
                        + " as READY=1)");
        assertThatIllegalArgumentException().isThrownBy(() -> notifier.send("=1"))
                .withMessageContaining("line \"=1\"");
        assertThatIllegalArgumentException().isThrownBy(() -> notifier.send("READY=1\n\n"))
                .withMessageContaining("line \"\"");
        assertThatIllegalArgumentException().isThrownBy(() -> notifier.send("STATUS=" + "ü".repeat(2045)))
                .withMessage("the state to send is 4097 bytes in UTF-8; systemd ignores messages longer than 4096"
                        + " bytes");
        assertThatIllegalArgumentException().isThrownBy(() -> notifier.status("two\nlines"))
                .withMessage("status \"two\\nlines\" contains a line break; a STATUS is one line");
        assertThatIllegalArgumentException().isThrownBy(() -> notifier.mainPid(0))
                .withMessage("MAINPID 0 is not a process id (1 or more)");
        assertThatIllegalArgumentException().isThrownBy(() -> notifier.errno(-2))
                .withMessage("ERRNO -2 is negative; errno values are 0 or more");
        assertThatIllegalArgumentException().isThrownBy(() -> notifier.extendTimeout(Duration.ofNanos(999)))
                .withMessageContaining("shorter than 1 microsecond");
        assertThatIllegalArgumentException().isThrownBy(() -> notifier.withSendTimeout(Duration.ofMillis(-1)))
                .withMessage("send timeout PT-0.001S is negative; use zero or more");
    }
}
