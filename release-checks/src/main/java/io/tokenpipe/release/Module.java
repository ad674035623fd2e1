package io.tokenpipe.release;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A module of the root pom: its folder, its artifactId, and whether it is published, which every module is
 * unless its pom.xml sets the property {@code tokenpipe.skipPublishing} to true.
 *
 * @param dir the module's folder
 * @param artifactId the module's artifactId
 * @param published whether the module keeps the root's default and goes to Maven Central
 */
public record Module(Path dir, String artifactId, boolean published) {

    /** The modules the root pom in that folder lists, in its order. */
    public static List<Module> of(Path root) {
        List<Module> modules = new ArrayList<>();
        for (PomElement module : PomElement.parse(root.resolve("pom.xml")).list("modules", "module")) {
            Path dir = root.resolve(module.text());
            PomElement pom = PomElement.parse(dir.resolve("pom.xml"));
            PomElement properties = pom.child("properties");
            String skip = (properties != null) ? properties.text("tokenpipe.skipPublishing") : null;
            modules.add(new Module(dir, pom.text("artifactId"), !"true".equals(skip)));
        }
        return modules;
    }

    @Override
    public String toString() {
        return this.artifactId;
    }
}
