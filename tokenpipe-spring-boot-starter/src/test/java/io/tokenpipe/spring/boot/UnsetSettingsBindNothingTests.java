package io.tokenpipe.spring.boot;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.context.event.SmartApplicationListener;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The three listeners that act before the context exists (readiness pipe, systemd, daemon mode) read only their
 * switches when none of their settings is set: binding their settings would return the defaults, and the first bean
 * a start-up binds costs the binder's warm-up, about 20 ms of CPU. A setting that is set is still bound and checked.
 */
class UnsetSettingsBindNothingTests {

    private static final List<String> LOOKED_UP = List.of("tokenpipe.enabled", "tokenpipe.notify.fd",
            "tokenpipe.daemon", "tokenpipe.notify", "tokenpipe.notify.systemd");

    @BeforeEach
    @AfterEach
    void forgetTheClaims() {
        TokenPipeReadinessNotifier.resetClaim();
        TokenPipeDaemonMode.resetForTests();
        SystemdReadinessNotifier.useEnvironmentForTests(null);
    }

    @Test
    void listenersLookUpNoSettingWhenNoneIsSet() {
        SystemdReadinessNotifier.useEnvironmentForTests(Map.of()); // no NOTIFY_SOCKET, whatever runs the test
        RecordingSource source = new RecordingSource(Map.of("spring.application.name", "quiet"));
        StandardEnvironment environment = environmentWith(source);
        for (SmartApplicationListener listener : listeners()) {
            listener.onApplicationEvent(prepared(environment));
        }
        // the switches, the descriptor's name (looked up for its origin) and the prefixes of the settings (a value of
        // their own would fail binding), never a setting of theirs
        assertThat(source.asked).filteredOn((name) -> name.startsWith("tokenpipe"))
            .isNotEmpty()
            .allMatch(LOOKED_UP::contains, "a switch, the descriptor or a prefix");
    }

    @Test
    void aSettingThatIsSetIsStillBoundAndChecked() {
        SystemdReadinessNotifier.useEnvironmentForTests(Map.of());
        assertBadValueRefused(new TokenPipeReadinessNotifier(), "tokenpipe.notify.ready-token");
        assertBadValueRefused(new SystemdReadinessNotifier(), "tokenpipe.notify.systemd.enabled");
        assertBadValueRefused(new TokenPipeDaemonMode(), "tokenpipe.daemon.timeout");
        assertBadValueRefused(new TokenPipeDaemonMode(), "tokenpipe.daemon"); // a value of the prefix's own
    }

    private static void assertBadValueRefused(SmartApplicationListener listener, String property) {
        StandardEnvironment environment = environmentWith(new RecordingSource(Map.of(property, "not-a-value")));
        assertThatExceptionOfType(BindException.class)
            .isThrownBy(() -> listener.onApplicationEvent(prepared(environment)))
            .withMessageContaining(property);
    }

    private static List<SmartApplicationListener> listeners() {
        return List.of(new TokenPipeDaemonMode(), new TokenPipeReadinessNotifier(), new SystemdReadinessNotifier());
    }

    private static StandardEnvironment environmentWith(RecordingSource source) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(source);
        return environment;
    }

    private static ApplicationEnvironmentPreparedEvent prepared(StandardEnvironment environment) {
        return new ApplicationEnvironmentPreparedEvent(new DefaultBootstrapContext(),
                new SpringApplication(UnsetSettingsBindNothingTests.class), new String[0], environment);
    }

    /** Remembers every name the binder (or anyone) asks it for. */
    static final class RecordingSource extends MapPropertySource {

        final List<String> asked = new ArrayList<>();

        RecordingSource(Map<String, Object> values) {
            super("recording", values);
        }

        @Override
        public Object getProperty(String name) {
            this.asked.add(name);
            return super.getProperty(name);
        }

    }

}
