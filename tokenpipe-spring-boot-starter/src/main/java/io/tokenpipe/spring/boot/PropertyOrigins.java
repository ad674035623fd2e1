package io.tokenpipe.spring.boot;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

/** Where a property's value came from, for error messages people can act on. */
final class PropertyOrigins {

    private PropertyOrigins() {
    }

    /**
     * The origin of {@code name}'s value as Boot tracks it, e.g. {@code class path resource
     * [application.properties] - 1:26} or {@code System Environment Property "TOKENPIPE_NOTIFY_FD"}.
     * @return the origin, or null when the property is not set or its source does not track origins
     */
    static @Nullable String of(@Nullable Environment environment, String name) {
        ConfigurationProperty property = find(environment, name);
        return (property != null && property.getOrigin() != null) ? property.getOrigin().toString() : null;
    }

    /**
     * Whether {@code name} has a value of its own in {@code environment} (under any of its relaxed names), as opposed
     * to its default.
     */
    static boolean isSet(@Nullable Environment environment, String name) {
        return find(environment, name) != null;
    }

    /**
     * Whether {@code prefix} or any property under it may have a value in {@code environment}: false only when every
     * source says none does (the test the binder itself makes before it binds a bean). The listeners that run before
     * the context exists bind their settings only then: with nothing set, binding would return the defaults, and the
     * first bean a start-up binds pays the binder's warm-up (about 20 ms of CPU), which Boot pays later anyway.
     */
    static boolean anySetUnder(ConfigurableEnvironment environment, String prefix) {
        ConfigurationPropertyName name = ConfigurationPropertyName.of(prefix);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (source.containsDescendantOf(name) != ConfigurationPropertyState.ABSENT
                    || source.getConfigurationProperty(name) != null) {
                return true;
            }
        }
        return false;
    }

    private static @Nullable ConfigurationProperty find(@Nullable Environment environment, String name) {
        if (!(environment instanceof ConfigurableEnvironment configurable)) {
            return null;
        }
        ConfigurationPropertyName propertyName = ConfigurationPropertyName.of(name);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(configurable)) {
            ConfigurationProperty property = source.getConfigurationProperty(propertyName);
            if (property != null) {
                return property;
            }
        }
        return null;
    }

}
