package io.tokenpipe.spring.boot.actuate;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import org.springframework.util.Assert;

/**
 * {@link MeterBinder} for a {@link TokenPipeFactory}: gauges {@code tokenpipe.pipes.open},
 * {@code tokenpipe.pipes.max} (the limit, {@code tokenpipe.max-open-pipes}) and {@code tokenpipe.ends.open},
 * counters {@code tokenpipe.pipes.created}, {@code tokenpipe.pipes.failed}
 * (refused by the operating system) and {@code tokenpipe.pipes.rejected} (refused by
 * {@code tokenpipe.max-open-pipes}). Every value is read from the factory when the registry asks; nothing is
 * counted on the token path, and nothing native is loaded.
 */
public class TokenPipeMetrics implements MeterBinder {

    private final TokenPipeFactory factory;

    /**
     * Creates the binder.
     * @param factory the factory whose pipes are measured
     */
    public TokenPipeMetrics(TokenPipeFactory factory) {
        Assert.notNull(factory, "'factory' must not be null");
        this.factory = factory;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("tokenpipe.pipes.open", this.factory, (factory) -> factory.snapshot().openPipes())
            .description("Token pipes made by the TokenPipeFactory that have at least one end open")
            .register(registry);
        Gauge.builder("tokenpipe.pipes.max", this.factory, (factory) -> factory.snapshot().maxOpenPipes())
            .description("The limit on open token pipes (tokenpipe.max-open-pipes): alert when tokenpipe.pipes.open"
                    + " comes near it")
            .register(registry);
        Gauge.builder("tokenpipe.ends.open", this.factory, (factory) -> factory.snapshot().openEnds())
            .description("Open ends (taken or not) of token pipes made by the TokenPipeFactory")
            .register(registry);
        FunctionCounter.builder("tokenpipe.pipes.created", this.factory, (factory) -> factory.snapshot().created())
            .description("Token pipes made by the TokenPipeFactory")
            .register(registry);
        FunctionCounter.builder("tokenpipe.pipes.failed", this.factory, (factory) -> factory.snapshot().failed())
            .description("Token pipes the operating system refused to make (for example EMFILE)")
            .register(registry);
        FunctionCounter.builder("tokenpipe.pipes.rejected", this.factory, (factory) -> factory.snapshot().rejected())
            .description("Token pipes refused because tokenpipe.max-open-pipes pipes were open")
            .register(registry);
    }

}
