package io.tokenpipe.spring.cloud;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.tokenpipe.SystemdNotifier;
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
 * The systemd notification with Spring Cloud's bootstrap context: only the application context reports. A child
 * JVM with NOTIFY_SOCKET in its environment, and a python receiver that counts what it sends: one Starting, one
 * READY=1, nothing from the bootstrap context.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class BootstrapContextSystemdTests {

    @TempDir
    Path directory;

    @Test
    void onlyTheApplicationContextNotifiesSystemd() throws Exception {
        Path output = this.directory.resolve("child.out");
        try (NotifyReceiver receiver = NotifyReceiver.atPath(this.directory.resolve("notify.sock"))) {
            ProcessBuilder builder = new ProcessBuilder(JavaChild.command(List.of(), BootstrapSystemdChild.class))
                .redirectInput(new File("/dev/null"))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
            builder.environment().put("NOTIFY_SOCKET", receiver.address());
            Process child = builder.start();
            assertThat(child.waitFor(90, TimeUnit.SECONDS)).as("the child exits").isTrue();
            assertThat(child.exitValue()).as(Files.readString(output)).isZero();
            assertThat(Files.readString(output)).contains("parent context: bootstrap");

            // all it sent is in the queue before the marker
            assertThat(SystemdNotifier.forSocket(receiver.address()).send("STATUS=marker").isSent()).isTrue();
            List<Datagram> datagrams = receiver.awaitDatagrams(5);
            assertThat(datagrams).extracting(Datagram::text).startsWith("STATUS=Starting",
                    "STATUS=Started, running the application runners");
            assertThat(datagrams.get(2).text()).startsWith("READY=1\nSTATUS=Ready, started in ");
            // main closes the context, then the JVM exits: the close is not the JVM's shutdown, so it may be a
            // restart; systemd ends the unit on the exit all the same
            assertThat(datagrams.get(3).text()).matches("RELOADING=1\nMONOTONIC_USEC=\\d+\nSTATUS=Restarting");
            assertThat(datagrams.get(4).text()).isEqualTo("STATUS=marker");
            assertThat(datagrams.subList(0, 4)).allSatisfy((datagram) -> assertThat(datagram.senderPid())
                .isEqualTo(child.pid()));
        }
    }

}
