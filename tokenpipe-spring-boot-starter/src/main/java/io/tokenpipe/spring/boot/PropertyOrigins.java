package io.tokenpipe.spring.boot;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
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
