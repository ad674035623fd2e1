package io.tokenpipe.spring.boot.actuate;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.testing.FdCount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link TokenPipeMetrics} read the factory's real state when the registry asks.
 */
@ExtendWith(FdCount.class)
class TokenPipeMetricsTests {

    @Test
    void gaugesAndCountersFollowThePipes() {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (TokenPipeFactory factory = new TokenPipeFactory(2)) {
            new TokenPipeMetrics(factory).bindTo(registry);
            assertThat(value(registry, "tokenpipe.pipes.open")).isZero();
            assertThat(value(registry, "tokenpipe.pipes.max")).isEqualTo(2);
            TokenPipe first = factory.create("first");
            TokenPipeEnd reader = first.takeReadEnd();
            first.takeWriteEnd().close();
            TokenPipe second = factory.create("second");
            assertThatIllegalStateException().isThrownBy(() -> factory.create("third"));
            assertThat(value(registry, "tokenpipe.pipes.open")).isEqualTo(2);
            assertThat(value(registry, "tokenpipe.ends.open")).isEqualTo(3);
            assertThat(count(registry, "tokenpipe.pipes.created")).isEqualTo(2);
            assertThat(count(registry, "tokenpipe.pipes.rejected")).isEqualTo(1);
            assertThat(count(registry, "tokenpipe.pipes.failed")).isZero();
            reader.close();
            second.close();
            assertThat(value(registry, "tokenpipe.pipes.open")).isZero();
            assertThat(value(registry, "tokenpipe.ends.open")).isZero();
            assertThat(count(registry, "tokenpipe.pipes.created")).isEqualTo(2);
        }
    }

    private static double value(MeterRegistry registry, String name) {
        return registry.get(name).gauge().value();
    }

    private static double count(MeterRegistry registry, String name) {
        return registry.get(name).functionCounter().count();
    }

}
