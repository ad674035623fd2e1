package io.tokenpipe.spring.boot;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

/**
 * {@link RuntimeHintsRegistrar} for what the starter binds outside beans, which AOT processing cannot see: the
 * readiness notifiers bind {@link TokenPipeProperties.Notify} (and its {@link TokenPipeProperties.Systemd}), and
 * daemon mode {@link TokenPipeProperties.Daemon}, with a {@code Binder} before the context exists.
 * Bean-bound types ({@link TokenPipeProperties}) and the {@code spring.factories} entries get their hints from
 * Spring itself. Registered in {@code META-INF/spring/aot.factories}.
 */
class TokenPipeRuntimeHints implements RuntimeHintsRegistrar {

    @Override
    public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
        BindableRuntimeHintsRegistrar.forTypes(TokenPipeProperties.Notify.class, TokenPipeProperties.Systemd.class,
                TokenPipeProperties.Daemon.class).registerHints(hints, classLoader);
    }

}
