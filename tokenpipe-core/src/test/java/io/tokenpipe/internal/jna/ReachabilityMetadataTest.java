package io.tokenpipe.internal.jna;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * GraalVM Native Image cannot be run here, so this keeps its metadata complete where a machine can check: every
 * class of the JNA backend that declares native methods (bound by JNA's Native.register through reflection and
 * JNI RegisterNatives) is registered JNI-accessible with all its methods, and every backend that Backends makes
 * by reflection has its no-argument constructor registered.
 */
class ReachabilityMetadataTest {
    private static final String FILE = "META-INF/native-image/io.tokenpipe/tokenpipe-core/reachability-metadata.json";

    @Test
    void everyDirectMappedClassIsRegisteredForJni() throws Exception {
        Map<String, JsonNode> registered = registeredTypes();
        List<String> directMapped = jnaBackendClasses().stream()
                .filter(type -> Arrays.stream(type.getDeclaredMethods()).map(Method::getModifiers).anyMatch(Modifier::isNative))
                .map(Class::getName).sorted().collect(Collectors.toList());
        assertThat(directMapped).as("classes with native methods in internal.jna").isNotEmpty();
        for (String type : directMapped) {
            assertThat(registered).as(FILE + " lists %s, which declares native methods", type).containsKey(type);
            JsonNode entry = registered.get(type);
            assertThat(entry.path("jniAccessible").asBoolean()).as("%s is jniAccessible", type).isTrue();
            assertThat(entry.path("allDeclaredMethods").asBoolean()).as("%s has allDeclaredMethods", type).isTrue();
        }
    }

    @Test
    void backendsMadeByReflectionHaveTheirConstructorRegistered() throws Exception {
        JsonNode entry = registeredTypes().get(JnaBackend.class.getName());
        assertThat(entry).as(FILE + " lists " + JnaBackend.class.getName()).isNotNull();
        assertThat(entry.path("methods").toString()).contains("\"<init>\"");
    }

    private static Map<String, JsonNode> registeredTypes() throws IOException {
        try (InputStream in = ReachabilityMetadataTest.class.getClassLoader().getResourceAsStream(FILE)) {
            assertThat(in).as(FILE + " on the class path").isNotNull();
            JsonNode root = new ObjectMapper().readTree(in);
            Map<String, JsonNode> types = new HashMap<>();
            root.path("reflection").forEach(entry -> {
                if (!entry.path("type").isObject()) { // {"proxy": [...]} entries name interfaces, not a type
                    types.put(entry.path("type").asText(), entry);
                }
            });
            return types;
        }
    }

    /**
     * The classes compiled into the internal.jna package, not initialized (loading them binds nothing): from
     * target/classes, or from the jar in the build's Java 22+ runs.
     */
    private static List<Class<?>> jnaBackendClasses() throws IOException, URISyntaxException {
        URI uri = JnaBackend.class.getResource("JnaBackend.class").toURI();
        try (FileSystem jar = uri.getScheme().equals("jar") ? FileSystems.newFileSystem(uri, Map.of()) : null;
             Stream<Path> files = Files.list(Path.of(uri).getParent())) {
            return files.map(file -> file.getFileName().toString()).filter(name -> name.endsWith(".class"))
                    .filter(name -> !name.equals("package-info.class"))
                    .map(name -> load("io.tokenpipe.internal.jna." + name.substring(0, name.length() - 6)))
                    .collect(Collectors.toList());
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, ReachabilityMetadataTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }
}
