package io.tokenpipe.testing;

import io.tokenpipe.SystemdNotifier;
import io.tokenpipe.TokenPipePlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A service for {@link SystemdUserManager} units: tells systemd STATUS, then READY=1, then keeps its watchdog fed
 * every half of WATCHDOG_USEC until the file {@code hang} appears in its control directory (then it goes silent,
 * as a hung service would), and says STOPPING=1 when it is stopped. Writes its pid to {@code pid} there.
 *
 * <p>usage: SystemdServiceMain CONTROL_DIRECTORY
 */
public final class SystemdServiceMain {
    private SystemdServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        Path control = Path.of(args[0]);
        SystemdNotifier systemd = SystemdNotifier.fromEnvironment().orElseThrow(
                () -> new IllegalStateException("NOTIFY_SOCKET is not set"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> report("stopping", systemd.stopping())));
        Files.writeString(control.resolve("pid"), Long.toString(ProcessHandle.current().pid()));
        report("status", systemd.status("Starting"));
        report("ready", systemd.send("READY=1\nSTATUS=Serving"));
        System.out.println("backend: " + TokenPipePlatform.backend());
        Duration interval = systemd.watchdogTimeout().map(timeout -> timeout.dividedBy(2)).orElse(Duration.ofHours(1));
        while (true) {
            Thread.sleep(interval.toMillis());
            if (!Files.exists(control.resolve("hang"))) {
                report("watchdog", systemd.watchdog());
            }
        }
    }

    private static void report(String what, SystemdNotifier.Result result) {
        System.out.println(what + ": " + result);
    }
}
