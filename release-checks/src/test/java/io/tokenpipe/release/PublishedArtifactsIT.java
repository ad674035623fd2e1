package io.tokenpipe.release;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What this build would put on Maven Central, read from the other modules' {@code target/} after they were
 * packaged: the flattened POM (the one install and deploy use, also embedded in the jar) must carry our
 * identity and nothing of the build, and every published jar needs its sources and javadoc jars. Which
 * modules are published is decided here too, so a new module cannot slip onto Central (or off it) unseen.
 */
class PublishedArtifactsIT {

    private static final Path ROOT = Path.of(System.getProperty("tokenpipe.root")).normalize();

    private static final String VERSION = System.getProperty("tokenpipe.version");

    private static final String URL = "https://github.com/tokenpipe/tokenpipe";

    /** The only artifacts that go to Central; every other module sets tokenpipe.skipPublishing. */
    private static final Set<String> PUBLISHED = Set.of("tokenpipe-core", "tokenpipe-spring-boot-starter",
            "tokenpipe-spring-boot-starter-test");

    @Test
    void exactlyTheLibraryModulesArePublished() {
        List<Module> modules = Module.of(ROOT);
        assertThat(modules).extracting(Module::artifactId)
            .contains("tokenpipe-core", "tokenpipe-spring-boot-starter", "demo-app", "tokenpipe-benchmarks");
        for (Module module : modules) {
            assertThat(module.published())
                .as("%s is published (no <tokenpipe.skipPublishing>true in %s/pom.xml): only %s may be",
                        module, module.dir().getFileName(), PUBLISHED)
                .isEqualTo(PUBLISHED.contains(module.artifactId()));
        }
    }

    @Test
    void rootPomInheritsNothingAndIsLeftOutOfTheCentralBundle() {
        PomElement root = PomElement.parse(ROOT.resolve("pom.xml"));
        assertThat(root.child("parent")).as("the root pom has a parent; it must not inherit an identity").isNull();
        assertThat(root.text("url")).as("root pom <url>").isEqualTo(URL);
        assertThat(read(ROOT.resolve("pom.xml")))
            .as("the release profile leaves the root pom out of the bundle")
            .contains("<excludeArtifact>tokenpipe-parent</excludeArtifact>");
    }

    @ParameterizedTest
    @MethodSource("publishedModules")
    void flattenedPomCarriesOurIdentityAndNoBuild(Module module) {
        Path flattened = module.dir().resolve("target/flattened-pom.xml");
        assertThat(flattened).as("flattened POM of %s (was the module built before this one?)", module)
            .isRegularFile();
        PomElement pom = PomElement.parse(flattened);

        assertThat(pom.text("groupId")).isEqualTo("io.tokenpipe");
        assertThat(pom.text("artifactId")).isEqualTo(module.artifactId());
        assertThat(pom.text("version")).isEqualTo(VERSION);
        assertThat(pom.text("name")).as("%s <name>", module).isNotBlank();
        assertThat(pom.text("description")).as("%s <description>", module).isNotBlank();
        assertThat(pom.text("url")).as("%s <url>", module).isEqualTo(URL);

        List<PomElement> licenses = pom.list("licenses", "license");
        assertThat(licenses).as("%s <licenses>", module).hasSize(1);
        assertThat(licenses.get(0).text("name")).as("%s license (and LICENSE's first line)", module)
            .isEqualTo("MIT License")
            .isEqualTo(read(ROOT.resolve("LICENSE")).lines().findFirst().orElse("").trim());
        assertThat(licenses.get(0).text("url")).as("%s license url", module)
            .isEqualTo("https://opensource.org/license/mit");

        assertThat(pom.list("developers", "developer")).as("%s <developers>", module)
            .isNotEmpty()
            .allSatisfy((developer) -> assertThat(developer.text("name")).isNotBlank());
        PomElement scm = pom.child("scm");
        assertThat(scm).as("%s <scm>", module).isNotNull();
        assertThat(scm.text("url")).as("%s <scm><url>", module).isEqualTo(URL);
        assertThat(scm.text("connection")).as("%s <scm><connection>", module).isEqualTo("scm:git:" + URL + ".git");
        assertThat(scm.text("developerConnection")).as("%s <scm><developerConnection>", module)
            .isEqualTo("scm:git:git@github.com:tokenpipe/tokenpipe.git");
        assertThat(pom.child("issueManagement")).as("%s <issueManagement>", module).isNotNull();
        assertThat(pom.child("issueManagement").text("url")).as("%s <issueManagement><url>", module)
            .isEqualTo(URL + "/issues");

        String xml = read(flattened);
        assertThat(xml).as("Spring Boot's identity in %s", flattened)
            .doesNotContain("spring-projects", "spring.io", "Apache License", "VMware");
        for (String buildOnly : List.of("parent", "build", "properties", "dependencyManagement", "profiles",
                "modules", "repositories", "pluginRepositories", "distributionManagement")) {
            assertThat(pom.child(buildOnly)).as("<%s> in %s", buildOnly, flattened).isNull();
        }
        assertThat(xml).as("unresolved placeholder in %s", flattened).doesNotContain("${");
        for (PomElement dependency : pom.list("dependencies", "dependency")) {
            String name = dependency.text("groupId") + ":" + dependency.text("artifactId");
            assertThat(dependency.text("version")).as("version of %s", name).isNotBlank();
            assertThat(dependency.text("scope")).as("scope of %s", name).isIn("compile", "runtime");
        }
    }

    @ParameterizedTest
    @MethodSource("publishedModules")
    void jarEmbedsTheFlattenedPomBesideSourcesAndJavadocJars(Module module) throws IOException {
        Path target = module.dir().resolve("target");
        String base = module.artifactId() + "-" + VERSION;
        String embedded = entry(target.resolve(base + ".jar"),
                "META-INF/maven/io.tokenpipe/" + module.artifactId() + "/pom.xml");
        assertThat(embedded).as("POM inside %s.jar", base)
            .isEqualTo(read(target.resolve("flattened-pom.xml")));
        assertThat(entries(target.resolve(base + "-sources.jar"))).as("sources of %s", module)
            .anyMatch((name) -> name.startsWith("io/tokenpipe/") && name.endsWith(".java"));
        assertThat(entries(target.resolve(base + "-javadoc.jar"))).as("javadoc of %s", module)
            .contains("index.html")
            .anyMatch((name) -> name.startsWith("io/tokenpipe/") && name.endsWith(".html"));
    }

    @ParameterizedTest
    @MethodSource("unpublishedModules")
    void unpublishedModuleBuildsNoSourcesOrJavadocJar(Module module) {
        Path target = module.dir().resolve("target");
        String base = module.artifactId() + "-" + VERSION;
        assertThat(target.resolve(base + "-sources.jar")).doesNotExist();
        assertThat(target.resolve(base + "-javadoc.jar")).doesNotExist();
    }

    static Stream<Module> publishedModules() {
        return Module.of(ROOT).stream().filter(Module::published);
    }

    static Stream<Module> unpublishedModules() {
        return Module.of(ROOT).stream().filter((module) -> !module.published());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        }
        catch (IOException ex) {
            throw new AssertionError("cannot read " + file + ": " + ex, ex);
        }
    }

    private static List<String> entries(Path jar) throws IOException {
        assertThat(jar).isRegularFile();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).toList();
        }
    }

    private static String entry(Path jar, String name) throws IOException {
        assertThat(jar).isRegularFile();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(name);
            assertThat(entry).as("%s in %s", name, jar).isNotNull();
            try (InputStream in = zip.getInputStream(entry)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }
}
