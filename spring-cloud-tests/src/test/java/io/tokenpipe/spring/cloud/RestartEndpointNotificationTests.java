package io.tokenpipe.spring.cloud;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.tokenpipe.ChildProcess;
import io.tokenpipe.SystemdNotifier;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import io.tokenpipe.testing.NotifyReceiver;
import io.tokenpipe.testing.NotifyReceiver.Datagram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Cloud's RestartEndpoint ({@code /actuator/restart}) closes the application context and runs the
 * application again in the same JVM. systemd must not take that close for a stop (STOPPING=1 moves a running unit
 * to deactivating, and it is killed after TimeoutStopSec), and it must hear READY=1 from the restarted application.
 * A child JVM with NOTIFY_SOCKET (a python receiver) and a real pipe at fd 3: the datagrams and the token on the
 * wire, through one restart and the JVM's exit.
 */
@ExtendWith(FdCount.class)
@Timeout(180)
class RestartEndpointNotificationTests {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path directory;

    @Test
    void aRestartSaysReloadingThenReadyAgainAndTheExitSaysStopping() throws Exception {
        Path output = this.directory.resolve("child.out");
        long before = System.nanoTime(); // CLOCK_MONOTONIC on Linux, the clock of MONOTONIC_USEC
        try (NotifyReceiver receiver = NotifyReceiver.atPath(this.directory.resolve("notify.sock"));
                TokenPipe pipe = TokenPipe.make().orElseThrow();
                TokenPipeEnd token = pipe.takeReadEnd();
                ChildProcess child = ChildProcess.builder(JavaChild.command(List.of(), RestartEndpointChild.class))
                    .passEnd(pipe.takeWriteEnd(), 3)
                    .environment("TOKENPIPE_NOTIFY_FD", "3")
                    .environment("NOTIFY_SOCKET", receiver.address())
                    .redirectInput(Path.of("/dev/null"))
                    .redirectOutput(output)
                    .redirectError(output)
                    .start()) {
            assertThat(token.tokenRead(WAIT)).as("ready").isEqualTo(1);
            assertThat(child.waitFor(WAIT)).as("the child exits").isTrue();
            String log = Files.readString(output);
            assertThat(child.exitValue()).as(log).hasValue(0);
            assertThat(log).contains("restart endpoint: {message=Restarting}", "Restarted")
                .contains("Not sending a readiness token to fd 3") // the restarted run leaves the closed fd alone
                .doesNotContain(" WARN ", " ERROR ", "Exception");
            assertThat(token.tokenRead(WAIT)).as("one token for the JVM, no second one, no failure token")
                .isEqualTo(TokenPipeEnd.TS_EOS);

            // all it sent is in the queue before the marker
            assertThat(SystemdNotifier.forSocket(receiver.address()).send("STATUS=marker").isSent()).isTrue();
            List<Datagram> datagrams = receiver.awaitDatagrams(9);
            assertThat(datagrams.subList(0, 8)).as(log)
                .allSatisfy((datagram) -> assertThat(datagram.senderPid()).isEqualTo(child.pid()));
            List<String> texts = datagrams.stream().map(Datagram::text).toList();
            assertThat(texts.subList(0, 2)).as("%s", texts)
                .containsExactly("STATUS=Starting", "STATUS=Started, running the application runners");
            assertThat(texts.get(2)).as("%s", texts).startsWith("READY=1\nSTATUS=Ready, started in ");
            assertThat(texts.get(3)).as("the restart's close: %s", texts)
                .matches("RELOADING=1\nMONOTONIC_USEC=\\d+\nSTATUS=Restarting");
            long monotonicUsec = Long.parseLong(texts.get(3).split("\n")[1].substring("MONOTONIC_USEC=".length()));
            assertThat(monotonicUsec).as("CLOCK_MONOTONIC, before python received it")
                .isBetween(before / 1000, datagrams.get(3).monotonicNanos() / 1000);
            assertThat(texts.subList(4, 6)).as("the restarted application: %s", texts)
                .containsExactly("STATUS=Starting", "STATUS=Started, running the application runners");
            assertThat(texts.get(6)).as("%s", texts).startsWith("READY=1\nSTATUS=Ready, started in ");
            assertThat(texts.subList(7, 9)).as("the JVM's exit: %s", texts)
                .containsExactly("STOPPING=1\nSTATUS=Stopping", "STATUS=marker");
        }
    }

}
