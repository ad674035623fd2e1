package io.tokenpipe.spring.boot;

import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.tokenpipe.SystemdNotifier;
import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.NotifyReceiver;
import io.tokenpipe.testing.NotifyReceiver.Datagram;
import io.tokenpipe.testing.QuietOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * The systemd notification of real {@link SpringApplication} runs in this JVM, received by a socket nobody here
 * wrote (Python's, {@link NotifyReceiver}): which datagrams, in which order, with which bytes, and the watchdog's
 * gating on health. NOTIFY_SOCKET and WATCHDOG_* are given to the notifier through its test hook, as systemd
 * would put them in the environment; the child-process tests (SystemdNotificationIT) use the real environment.
 * Timing is asserted as the spacing of watchdog messages by the kernel's receive timestamps (never closer than
 * the fixed delay, median well under the whole watchdog time) and as absences over a window: a slow machine
 * sends fewer messages, never wrong ones.
 */
@ExtendWith({ FdCount.class, QuietOutput.class, OutputCaptureExtension.class })
@Timeout(120)
class SystemdReadinessNotifierTests {

    private static final long PID = ProcessHandle.current().pid();

    /** 200 ms: WATCHDOG=1 every 100 ms. */
    private static final String WATCHDOG_USEC = "200000";

    static final AtomicReference<String> receiverAddress = new AtomicReference<>();

    @TempDir
    Path directory;

    private NotifyReceiver receiver;

    private final Map<String, String> environment = new HashMap<>();

    @BeforeEach
    void startReceiver() throws Exception {
        this.receiver = NotifyReceiver.atPath(this.directory.resolve("notify.sock"));
        receiverAddress.set(this.receiver.address());
        this.environment.put("NOTIFY_SOCKET", this.receiver.address());
        SystemdReadinessNotifier.useEnvironmentForTests(this.environment);
        TokenPipeReadinessNotifier.resetClaim();
    }

    @AfterEach
    void stopReceiver() {
        SystemdReadinessNotifier.useEnvironmentForTests(null);
        this.receiver.close();
    }

    @Test
    void readyComesOnceAfterTheRunnersAndReloadingWhenTheContextClosesWhileTheJvmGoesOn() {
        try (ConfigurableApplicationContext context = run(RunnerApplication.class,
                "--spring.application.name=orders")) {
            List<Datagram> started = this.receiver.awaitDatagrams(4);
            assertThat(started).extracting(Datagram::text).startsWith("STATUS=Starting orders",
                    "STATUS=Started, running the application runners", "STATUS=the runner runs");
            assertThat(started.get(3).text()).matches("READY=1\nSTATUS=Ready, started in \\d+\\.\\d{3} s");
            assertThat(started).allSatisfy((datagram) -> assertThat(datagram.senderPid()).isEqualTo(PID));
            AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
            AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
        }
        // not STOPPING=1: this JVM goes on, and may run the application again (a restart)
        assertThat(this.receiver.awaitTexts(5).get(4)).as("READY=1 once, then")
            .matches("RELOADING=1\nMONOTONIC_USEC=\\d+\nSTATUS=Restarting");
        assertNothingMoreAfter(5);
    }

    @Test
    void aContextClosedBeforeItWasReadySaysStopping() {
        run(ClosingRunnerApplication.class).close();

        assertThat(this.receiver.awaitTexts(3)).containsExactly("STATUS=Starting",
                "STATUS=Started, running the application runners", "STOPPING=1\nSTATUS=Stopping");
        assertNothingMoreAfter(3);
    }

    @Test
    void aFailedStartSaysWhyWithTheErrnoAndNoStopping() {
        assertThatException().isThrownBy(() -> run(PortInUseApplication.class));

        assertThat(this.receiver.awaitTexts(2)).containsExactly("STATUS=Starting",
                "STATUS=Failed to start: BindException: Address already in use\nERRNO=98");
        assertNothingMoreAfter(2);
    }

    @Test
    void aFailureWithoutAnErrnoSendsTheStatusAlone() {
        assertThatException().isThrownBy(() -> run(FailingRunnerApplication.class));

        assertThat(this.receiver.awaitTexts(3)).containsExactly("STATUS=Starting",
                "STATUS=Started, running the application runners",
                "STATUS=Failed to start: IllegalStateException: migration failed: line one line two");
        assertNothingMoreAfter(3);
    }

    @Test
    void nothingIsSentWhenSystemdNotificationIsOff() {
        run(RunnerApplication.class, "--tokenpipe.notify.systemd.enabled=false").close();
        run(RunnerApplication.class, "--tokenpipe.enabled=false").close();

        // the runner's own datagrams arrive; none of the starter's
        assertThat(this.receiver.awaitTexts(2)).containsOnly("STATUS=the runner runs");
        assertNothingMoreAfter(2);
    }

    @Test
    void oneApplicationOfTheJvmNotifiesAtATimeAndTheNextOneOnceItClosed() {
        try (ConfigurableApplicationContext first = run(PlainApplication.class);
                ConfigurableApplicationContext second = run(PlainApplication.class)) {
            List<String> texts = this.receiver.awaitTexts(3);
            assertThat(texts).startsWith("STATUS=Starting", "STATUS=Started, running the application runners");
            assertThat(texts.get(2)).startsWith("READY=1\n");
            assertNothingMoreAfter(3);
        }
        assertThat(this.receiver.awaitTexts(5).get(4)).startsWith("RELOADING=1\n");
        assertNothingMoreAfter(5);

        // as devtools restarts: a new SpringApplication in the same JVM, which systemd now waits for
        run(PlainApplication.class).close();
        List<String> restarted = this.receiver.awaitTexts(10).subList(6, 10);
        assertThat(restarted.subList(0, 2)).containsExactly("STATUS=Starting",
                "STATUS=Started, running the application runners");
        assertThat(restarted.get(2)).startsWith("READY=1\n");
        assertThat(restarted.get(3)).startsWith("RELOADING=1\n");
        assertNothingMoreAfter(10);
    }

    @Test
    void watchdogIsFedWhileLivenessIsCorrectWithheldWhileBrokenAndResumes() throws Exception {
        this.environment.put("WATCHDOG_USEC", WATCHDOG_USEC);
        try (ConfigurableApplicationContext context = run(PlainApplication.class)) {
            List<Datagram> fed = awaitWatchdogs(6, 0);
            assertSpacedByHalfTheWatchdogTime(fed, Duration.ofNanos(Long.parseLong(WATCHDOG_USEC) * 1000));

            AvailabilityChangeEvent.publish(context, LivenessState.BROKEN);
            int withheldAt = awaitText("STATUS=Unhealthy, watchdog withheld: LivenessState is BROKEN");
            Thread.sleep(600); // six intervals
            assertThat(textsBeforeMarker().subList(withheldAt + 1)).as("nothing while broken").isEmpty();

            AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
            int resumedAt = awaitText("WATCHDOG=1\nSTATUS=Ready");
            awaitWatchdogs(2, resumedAt + 1);
        }
    }

    @Test
    void watchdogFollowsTheConfiguredHealthGroup() throws Exception {
        this.environment.put("WATCHDOG_USEC", WATCHDOG_USEC);
        try (ConfigurableApplicationContext context = runWeb(HealthApplication.class,
                "--management.endpoint.health.group.core.include=switch",
                "--tokenpipe.notify.systemd.watchdog-health-group=core")) {
            Switch healthSwitch = context.getBean(Switch.class);
            awaitWatchdogs(2, 0);

            healthSwitch.up = false;
            int withheldAt = awaitText("STATUS=Unhealthy, watchdog withheld: health group core is DOWN");
            Thread.sleep(600);
            assertThat(textsBeforeMarker().subList(withheldAt + 1)).as("nothing while DOWN").isEmpty();

            // LivenessState is not what this group reports: it does not stop the watchdog
            healthSwitch.up = true;
            int resumedAt = awaitText("WATCHDOG=1\nSTATUS=Ready");
            AvailabilityChangeEvent.publish(context, LivenessState.BROKEN);
            awaitWatchdogs(3, resumedAt + 1);
        }
    }

    @Test
    void withActuatorProbesTheDefaultLivenessGroupGatesTheWatchdog() throws Exception {
        this.environment.put("WATCHDOG_USEC", WATCHDOG_USEC);
        try (ConfigurableApplicationContext context = runWeb(HealthApplication.class,
                "--management.endpoint.health.probes.enabled=true")) {
            awaitWatchdogs(2, 0);
            AvailabilityChangeEvent.publish(context, LivenessState.BROKEN);
            awaitText("STATUS=Unhealthy, watchdog withheld: health group liveness is DOWN");
        }
    }

    @Test
    void aConfiguredHealthGroupThatDoesNotExistFailsStartUpNamingTheProperty(CapturedOutput output) throws Exception {
        this.environment.put("WATCHDOG_USEC", WATCHDOG_USEC);
        assertThatException()
            .isThrownBy(() -> runWeb(HealthApplication.class, "--tokenpipe.notify.systemd.watchdog-health-group=nosuch"))
            .satisfies((ex) -> assertThat(NestedExceptionUtils.getMostSpecificCause(ex))
                .isInstanceOf(InvalidTokenPipePropertyException.class)
                .hasMessageContaining("Invalid value 'nosuch' for configuration property"
                        + " 'tokenpipe.notify.systemd.watchdog-health-group' (originating from")
                .hasMessageContaining("property source \"commandLineArgs\"")
                .hasMessageContaining("names no health group of this application (its groups: ["));
        assertThat(output).contains("Define the group (management.endpoint.health.group.nosuch.include=...)");
        awaitText("STATUS=Failed to start: InvalidTokenPipePropertyException: Invalid value 'nosuch'", true);
    }

    @Test
    void noWatchdogWhenWatchdogPidNamesAnotherProcess() throws Exception {
        this.environment.put("WATCHDOG_USEC", WATCHDOG_USEC);
        this.environment.put("WATCHDOG_PID", Long.toString(PID + 1));
        try (ConfigurableApplicationContext context = run(PlainApplication.class)) {
            int readyAt = awaitText("READY=1\n", true);
            Thread.sleep(500); // five intervals
            assertThat(textsBeforeMarker().subList(readyAt + 1)).isEmpty();
        }
    }

    @Test
    void aSocketNobodyListensAtIsLoggedOnceAndTheApplicationStarts(CapturedOutput output) {
        this.environment.put("NOTIFY_SOCKET", this.directory.resolve("nobody.sock").toString());
        this.environment.put("WATCHDOG_USEC", WATCHDOG_USEC);
        try (ConfigurableApplicationContext context = run(PlainApplication.class)) {
            assertThat(context.isActive()).isTrue();
        }
        assertThat(output.toString().split("Could not notify systemd", -1)).as(output.toString()).hasSize(2);
        assertThat(output).contains("Could not notify systemd at NOTIFY_SOCKET=" + this.directory.resolve("nobody.sock")
                + " (STATUS=Starting): sendto(" + this.directory.resolve("nobody.sock")
                + ") failed: ENOENT (No such file or directory); the application goes on");
    }

    private List<String> texts() {
        return this.receiver.datagrams().stream().map(Datagram::text).toList();
    }

    /** Every datagram so far, known to be complete: a marker of our own is sent and awaited after them. */
    private Texts textsBeforeMarker() {
        assertThat(SystemdNotifier.forSocket(this.receiver.address()).send("STATUS=marker").isSent()).isTrue();
        try {
            int marker = awaitText("STATUS=marker");
            return new Texts(texts().subList(0, marker));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /** Received texts; {@link #subList(int)} from an index to the end. */
    private record Texts(List<String> all) {

        List<String> subList(int from) {
            return this.all.subList(Math.min(from, this.all.size()), this.all.size());
        }

    }

    /** Sends a marker of our own and checks that it comes right after {@code count} datagrams: nothing else came. */
    private void assertNothingMoreAfter(int count) {
        assertThat(SystemdNotifier.forSocket(this.receiver.address()).send("STATUS=marker").isSent()).isTrue();
        assertThat(this.receiver.awaitTexts(count + 1).get(count)).as(texts().toString()).isEqualTo("STATUS=marker");
    }

    private int awaitText(String text) throws InterruptedException {
        return awaitText(text, false);
    }

    /** The index of the first datagram that is (or, with {@code prefix}, starts with) {@code text}. */
    private int awaitText(String text, boolean prefix) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<String> texts = texts();
            for (int i = 0; i < texts.size(); i++) {
                if (prefix ? texts.get(i).startsWith(text) : texts.get(i).equals(text)) {
                    return i;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' among " + texts);
            }
            Thread.sleep(10);
        }
    }

    /** The first {@code count} plain WATCHDOG=1 messages from index {@code from} on, once they arrived. */
    private List<Datagram> awaitWatchdogs(int count, int from) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<Datagram> all = this.receiver.datagrams();
            List<Datagram> watchdogs = all.subList(Math.min(from, all.size()), all.size()).stream()
                .filter((datagram) -> datagram.text().equals("WATCHDOG=1"))
                .toList();
            if (watchdogs.size() >= count) {
                assertThat(watchdogs).allSatisfy((datagram) -> assertThat(datagram.senderPid()).isEqualTo(PID));
                return watchdogs.subList(0, count);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " WATCHDOG=1 from datagram " + from + " on: " + all);
            }
            Thread.sleep(10);
        }
    }

    /**
     * WATCHDOG=1 every half of WATCHDOG_USEC (sd_watchdog_enabled(3) asks for "roughly half" of it), with a fixed
     * delay. Timed by the kernel's receive timestamps (SO_TIMESTAMPNS, taken in the sender's sendto), not by when
     * the receiver got to run. No gap is shorter than the delay (a fixed delay never bursts: 10% is left for clock
     * adjustment), and the median gap is well under the whole watchdog time: a sender that waited the full
     * WATCHDOG_USEC fails it, while a loaded machine that holds up a few messages does not.
     */
    private static void assertSpacedByHalfTheWatchdogTime(List<Datagram> watchdogs, Duration watchdogTime) {
        Duration half = watchdogTime.dividedBy(2);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < watchdogs.size(); i++) {
            gaps.add(watchdogs.get(i).kernelNanos() - watchdogs.get(i - 1).kernelNanos());
        }
        assertThat(gaps).as("gaps (ns) between WATCHDOG=1 messages, WATCHDOG_USEC=%s", watchdogTime)
            .allSatisfy((gap) -> assertThat(gap).isGreaterThanOrEqualTo(half.toNanos() * 9 / 10));
        List<Long> sorted = gaps.stream().sorted().toList();
        assertThat(sorted.get(sorted.size() / 2)).as("median gap (ns) of %s, WATCHDOG_USEC=%s", gaps, watchdogTime)
            .isLessThan(half.toNanos() * 19 / 10);
    }

    private static ConfigurableApplicationContext run(Class<?> application, String... args) {
        SpringApplication app = new SpringApplication(application);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setBannerMode(Banner.Mode.OFF);
        return app.run(args);
    }

    private static ConfigurableApplicationContext runWeb(Class<?> application, String... args) {
        SpringApplication app = new SpringApplication(application);
        app.setBannerMode(Banner.Mode.OFF);
        String[] all = new String[args.length + 1];
        all[0] = "--server.port=0";
        System.arraycopy(args, 0, all, 1, args.length);
        return app.run(all);
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class PlainApplication {

    }

    /** Its runner sends a datagram of its own: READY=1 must come after it. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class RunnerApplication {

        @Bean
        ApplicationRunner runner() {
            return (args) -> SystemdNotifier.forSocket(receiverAddress.get()).status("the runner runs");
        }

    }

    /** Its runner closes the context: Boot never publishes its readiness. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class ClosingRunnerApplication {

        @Bean
        ApplicationRunner closingRunner(ConfigurableApplicationContext context) {
            return (args) -> context.close();
        }

    }

    /** As when the web server's port is taken: Boot's PortInUseException has this BindException as its cause. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class PortInUseApplication {

        @Bean
        Object server() {
            throw new IllegalStateException("Port 8080 is already in use", new BindException("Address already in use"));
        }

    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class FailingRunnerApplication {

        @Bean
        ApplicationRunner failingRunner() {
            return (args) -> {
                throw new IllegalStateException("migration failed:\nline one\r\nline two");
            };
        }

    }

    /** A web application with actuator and a health indicator the test turns DOWN and UP. */
    @Configuration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class HealthApplication {

        @Bean
        Switch healthSwitch() {
            return new Switch();
        }

        @Bean
        HealthIndicator switchHealthIndicator(Switch healthSwitch) {
            return () -> healthSwitch.up ? Health.up().build() : Health.down().build();
        }

    }

    static class Switch {

        volatile boolean up = true;

    }

}
