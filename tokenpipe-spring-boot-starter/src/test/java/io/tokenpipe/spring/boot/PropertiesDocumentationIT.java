package io.tokenpipe.spring.boot;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Keeps the properties table of {@code docs/spring-boot.md} true: every property in the configuration metadata
 * built into the starter jar (the generated {@code spring-configuration-metadata.json} and
 * {@code additional-spring-configuration-metadata.json}) has a row there, with the metadata's default, and the
 * table names no property the jar does not have. Runs after {@code package}, on the jar users get.
 */
class PropertiesDocumentationIT {

    /** The document and the heading of its table, relative to the repository root. */
    static final String DOCUMENT = "docs/spring-boot.md";

    static final String TABLE_HEADING = "## Properties";

    /** What the default column says for a property whose metadata has no default. */
    static final String NO_DEFAULT = "unset";

    private static final JsonMapper json = JsonMapper.builder().build();

    @Test
    void propertiesTableListsEveryPropertyOfTheJarWithItsDefault() throws IOException {
        Map<String, String> metadata = metadataDefaults();
        assertThat(metadata).as("properties in the jar's metadata").isNotEmpty();
        Map<String, String> documented = documentedDefaults(Files.readString(document()));

        List<String> problems = new ArrayList<>();
        metadata.forEach((name, defaultValue) -> {
            String expected = (defaultValue != null) ? "`" + defaultValue + "`" : NO_DEFAULT;
            if (!documented.containsKey(name)) {
                problems.add(name + " is in the starter's configuration metadata but missing from the properties table"
                        + " of " + DOCUMENT + " (add a row: | `" + name + "` | " + expected + " | meaning |)");
            }
            else if (!documented.get(name).equals(expected)) {
                problems.add("wrong default for " + name + " in " + DOCUMENT + ": the table says "
                        + documented.get(name) + ", the metadata says " + expected);
            }
        });
        documented.keySet().stream().filter((name) -> !metadata.containsKey(name)).forEach((name) -> problems
            .add(name + " is in the properties table of " + DOCUMENT + " but not in the starter's configuration metadata"));
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    @Test
    void tableIsReadAsWritten() {
        String document = String.join("\n", "# Title", "## Properties", "| property | default | meaning |",
                "|---|---|---|", "| `a.b` | `1` | one, with a \\| bar |", "| `a.c` | unset | none |", "",
                "| `not.in.table` | `2` | after the table |", "## Other", "| `x.y` | `3` | another table |");
        assertThat(documentedDefaults(document)).containsExactly(Map.entry("a.b", "`1`"), Map.entry("a.c", "unset"));
    }

    /** Property name to default (as the metadata writes it, null for none), from both metadata files. */
    private static Map<String, String> metadataDefaults() throws IOException {
        Map<String, String> defaults = new LinkedHashMap<>();
        Path jar = Path.of(System.getProperty("tokenpipe.starter.jar"));
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (String entry : List.of("META-INF/spring-configuration-metadata.json",
                    "META-INF/additional-spring-configuration-metadata.json")) {
                ZipEntry found = zip.getEntry(entry);
                assertThat(found).as("%s in %s", entry, jar).isNotNull();
                try (InputStream in = zip.getInputStream(found)) {
                    JsonNode metadata = json.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    metadata.path("properties").forEach((property) -> {
                        String name = property.get("name").asString();
                        JsonNode defaultValue = property.get("defaultValue");
                        if (defaults.get(name) == null) { // a default from either file; null (none) only if neither has one
                            defaults.put(name, (defaultValue != null) ? text(defaultValue) : null);
                        }
                    });
                }
            }
        }
        return defaults;
    }

    private static String text(JsonNode value) {
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach((item) -> items.add(item.asString()));
            return String.join(",", items);
        }
        return value.asString();
    }

    /** Property name (the first cell, without backticks) to the default cell as written, from the table. */
    static Map<String, String> documentedDefaults(String document) {
        Map<String, String> defaults = new LinkedHashMap<>();
        List<String> lines = document.lines().toList();
        int heading = lines.indexOf(TABLE_HEADING);
        assertThat(heading).as("heading '%s' in %s", TABLE_HEADING, DOCUMENT).isNotNegative();
        int row = heading + 1;
        while (row < lines.size() && !lines.get(row).startsWith("|")) {
            row++;
        }
        for (; row < lines.size() && lines.get(row).startsWith("|"); row++) {
            String[] cells = lines.get(row).split("(?<!\\\\)\\|", -1);
            String name = cells[1].trim();
            if (name.startsWith("`") && name.endsWith("`") && name.length() > 2) {
                defaults.put(name.substring(1, name.length() - 1), cells[2].trim());
            }
        }
        return defaults;
    }

    /** docs/spring-boot.md of this checkout: the module's directory is one below the repository root. */
    private static Path document() {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path document = module.getParent().resolve(DOCUMENT);
        assertThat(document).as("the starter's reference document").isRegularFile();
        return document;
    }

}
