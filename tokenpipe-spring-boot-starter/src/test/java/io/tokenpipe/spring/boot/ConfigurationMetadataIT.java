package io.tokenpipe.spring.boot;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.BeanUtils;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads the built jar (after {@code package}) and checks that its configuration metadata lists every
 * property of {@link TokenPipeProperties}, with a description and the real default, plus
 * {@code management.health.tokenpipe.enabled}, with the value hints of the ready token; and that the jar registers
 * its auto-configurations, failure analyzers, listener and runtime hints, and names its automatic module.
 */
class ConfigurationMetadataIT {

    private static final JsonMapper json = JsonMapper.builder().build();

    @Test
    void metadataListsEveryPropertyWithDescriptionAndDefault() throws IOException {
        JsonNode metadata = json.readTree(read("META-INF/spring-configuration-metadata.json"));
        Map<String, JsonNode> listed = new LinkedHashMap<>();
        metadata.get("properties").forEach((property) -> listed.put(property.get("name").asString(), property));

        Map<String, Object> expected = new LinkedHashMap<>();
        collect("tokenpipe", new TokenPipeProperties(), expected);
        assertThat(expected).containsOnlyKeys("tokenpipe.enabled", "tokenpipe.max-open-pipes", "tokenpipe.notify.fd",
                "tokenpipe.notify.ready-token", "tokenpipe.notify.failure-token", "tokenpipe.notify.systemd.enabled",
                "tokenpipe.notify.systemd.watchdog-health-group", "tokenpipe.daemon.wait", "tokenpipe.daemon.log-file",
                "tokenpipe.daemon.timeout", "tokenpipe.daemon.pid-file");
        expected.put("management.health.tokenpipe.enabled", true);

        assertThat(listed).containsKeys(expected.keySet().toArray(String[]::new));
        expected.forEach((name, defaultValue) -> {
            JsonNode property = listed.get(name);
            assertThat(property.path("description").asString()).as("description of %s", name).isNotBlank();
            if (defaultValue == null) {
                assertThat(property.has("defaultValue")).as("%s has no default", name).isFalse();
            }
            else if (defaultValue instanceof Duration duration) { // the metadata writes "60s"
                assertThat(DurationStyle.detectAndParse(property.get("defaultValue").asString()))
                    .as("default of %s", name).isEqualTo(duration);
            }
            else {
                assertThat(property.get("defaultValue").asString()).as("default of %s", name)
                    .isEqualTo(defaultValue.toString());
            }
        });
        for (String flag : new String[] { "tokenpipe.enabled", "tokenpipe.notify.systemd.enabled", "tokenpipe.daemon.wait" }) {
            assertThat(listed.get(flag).get("description").asString()).as(flag).startsWith("Whether");
        }
        assertThat(listed.get("management.health.tokenpipe.enabled").get("description").asString()).startsWith("Whether");
    }

    @Test
    void readyTokenHasValueHintsForTokenpipeAndS6() throws IOException {
        JsonNode metadata = json.readTree(read("META-INF/spring-configuration-metadata.json"));
        Map<String, String> values = new LinkedHashMap<>();
        metadata.get("hints").forEach((hint) -> {
            if (hint.get("name").asString().equals("tokenpipe.notify.ready-token")) {
                hint.get("values").forEach((value) -> values.put(value.get("value").asString(),
                        value.get("description").asString()));
            }
        });
        assertThat(values).containsOnlyKeys("1", "10");
        assertThat(values.get("1")).contains("bitcoind");
        assertThat(values.get("10")).contains("s6").contains("notification-fd");
    }

    @Test
    void jarRegistersAutoConfigurationsAnalyzerAndListener() throws IOException {
        assertThat(read("META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports").lines())
            .containsExactly("io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration",
                    "io.tokenpipe.spring.boot.autoconfigure.health.TokenPipeHealthContributorAutoConfiguration",
                    "io.tokenpipe.spring.boot.autoconfigure.metrics.TokenPipeMetricsAutoConfiguration",
                    "io.tokenpipe.spring.boot.autoconfigure.endpoint.TokenPipesEndpointAutoConfiguration");
        assertThat(read("META-INF/spring.factories"))
            .contains("org.springframework.boot.diagnostics.FailureAnalyzer=\\\nio.tokenpipe.spring.boot.TokenPipeFailureAnalyzer,\\\n"
                    + "io.tokenpipe.spring.boot.TokenPipesUnavailableFailureAnalyzer")
            .contains("org.springframework.context.ApplicationListener=\\\nio.tokenpipe.spring.boot.TokenPipeReadinessNotifier,\\\n"
                    + "io.tokenpipe.spring.boot.SystemdReadinessNotifier,\\\nio.tokenpipe.spring.boot.TokenPipeDaemonMode");
        assertThat(read("META-INF/spring/aot.factories"))
            .contains("org.springframework.aot.hint.RuntimeHintsRegistrar=\\\nio.tokenpipe.spring.boot.TokenPipeRuntimeHints");
        assertThat(read("META-INF/MANIFEST.MF")).contains("Automatic-Module-Name: io.tokenpipe.spring.boot");
        assertThat(read("META-INF/spring-autoconfigure-metadata.properties"))
            .contains("TokenPipeMetricsAutoConfiguration.ConditionalOnClass=io.micrometer.core.instrument.MeterRegistry");
    }

    /** Property names (kebab-case) and their defaults, from the bean itself, nested groups included. */
    private static void collect(String prefix, Object bean, Map<String, Object> into) {
        BeanWrapperImpl wrapper = new BeanWrapperImpl(bean);
        for (PropertyDescriptor descriptor : BeanUtils.getPropertyDescriptors(bean.getClass())) {
            if (descriptor.getName().equals("class")) {
                continue;
            }
            String name = prefix + "." + descriptor.getName().replaceAll("([A-Z])", "-$1").toLowerCase();
            Object value = wrapper.getPropertyValue(descriptor.getName());
            if (descriptor.getWriteMethod() == null && value != null) {
                collect(name, value, into);
            }
            else {
                into.put(name, value);
            }
        }
    }

    private static String read(String entry) throws IOException {
        Path jar = Path.of(System.getProperty("tokenpipe.starter.jar"));
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry found = zip.getEntry(entry);
            assertThat(found).as("%s in %s", entry, jar).isNotNull();
            try (InputStream in = zip.getInputStream(found)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

}
