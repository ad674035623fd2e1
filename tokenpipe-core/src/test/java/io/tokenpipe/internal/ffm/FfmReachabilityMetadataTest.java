package io.tokenpipe.internal.ffm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A native image can make only the downcalls it was built with: every function descriptor the FFM backend binds
 * must be in the {@code foreign.downcalls} of core's reachability metadata. This binds every C function of
 * {@code FfmLibc} that this machine's C library has (each holder class binds one), and compares what the backend
 * recorded with the file. Runs where the FFM classes are on the class path (the build's Java 22+ runs); the
 * macOS and Windows variants are listed in the file by hand (they cannot be bound here).
 */
class FfmReachabilityMetadataTest {
    private static final String FILE = "META-INF/native-image/io.tokenpipe/tokenpipe-core/reachability-metadata.json";
    private static final String PACKAGE = "io.tokenpipe.internal.ffm.";

    @Test
    void everyDescriptorTheFfmBackendBindsIsInTheMetadata() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 22
                && getClass().getClassLoader().getResource("io/tokenpipe/internal/ffm/FfmBackend.class") != null,
                "the FFM backend needs Java 22 and the multi-release jar");
        ClassLoader loader = getClass().getClassLoader();
        List<String> holders = new ArrayList<>();
        for (Class<?> holder : Class.forName(PACKAGE + "FfmLibc", false, loader).getDeclaredClasses()) {
            try {
                Class.forName(holder.getName(), true, loader); // binds its function
                holders.add(holder.getSimpleName());
            } catch (ExceptionInInitializerError missing) {
                // a function this C library lacks (fstat before glibc 2.33): nothing bound, nothing to list
                assertThat(missing.getCause()).as(holder.getName()).isInstanceOf(UnsatisfiedLinkError.class);
            }
        }
        Method bound = Class.forName(PACKAGE + "Downcalls", true, loader).getDeclaredMethod("bound");
        bound.setAccessible(true);
        @SuppressWarnings("unchecked")
        Set<String> descriptors = new TreeSet<>((Set<String>) bound.invoke(null));

        assertThat(holders).as("FfmLibc's functions").hasSizeGreaterThan(30);
        assertThat(descriptors).as("distinct descriptors bound").hasSizeGreaterThan(15);
        assertThat(listed()).as(FILE + " foreign.downcalls").containsAll(descriptors);
    }

    @Test
    void theFfmBackendsConstructorIsRegisteredForReflection() throws Exception {
        JsonNode root = metadata();
        List<String> types = new ArrayList<>();
        // a type is a class name, or an object such as {"proxy": [...]}
        root.path("reflection").forEach(entry -> types.add((entry.path("type").isTextual()
                ? entry.path("type").asText() : entry.path("type").toString()) + entry.path("methods").toString()));
        assertThat(types).anyMatch(type -> type.startsWith(PACKAGE + "FfmBackend") && type.contains("\"<init>\""));
    }

    /** The file's downcalls in the notation of Downcalls.bound(): {@code jint(jlong,jint) captureCallState}. */
    private static Set<String> listed() throws Exception {
        Set<String> keys = new TreeSet<>();
        for (JsonNode downcall : metadata().path("foreign").path("downcalls")) {
            StringBuilder key = new StringBuilder(downcall.path("returnType").asText()).append('(');
            JsonNode parameters = downcall.path("parameterTypes");
            for (int i = 0; i < parameters.size(); i++) {
                key.append(i == 0 ? "" : ",").append(parameters.get(i).asText());
            }
            key.append(')');
            JsonNode options = downcall.path("options");
            if (options.path("captureCallState").asBoolean()) {
                key.append(" captureCallState");
            }
            if (options.has("firstVariadicArg")) {
                key.append(" firstVariadicArg=").append(options.path("firstVariadicArg").asInt());
            }
            keys.add(key.toString());
        }
        return keys;
    }

    private static JsonNode metadata() throws Exception {
        try (InputStream in = FfmReachabilityMetadataTest.class.getClassLoader().getResourceAsStream(FILE)) {
            assertThat(in).as(FILE + " on the class path").isNotNull();
            return new ObjectMapper().readTree(in);
        }
    }
}
