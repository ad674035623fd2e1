package io.tokenpipe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs test scenarios in a child JVM of a JDK 22+ under /usr/lib/jvm (Temurin 25 here), while the build itself runs
 * on Java 17: the same code, the other JDK (virtual threads, JEP 400 charsets).
 */
public final class NewestJdk {
    private NewestJdk() {
    }

    /** The java launcher of a JDK of at least {@code minimumFeature} under /usr/lib/jvm, if there is one. */
    public static Optional<Path> java(int minimumFeature) {
        try {
            return JavaChild.javaOfAtLeast(minimumFeature);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Runs the named public static no-argument methods of {@code scenarios} in a child JVM of the newest JDK 22+
     * (skipping the test where there is none) and fails unless each printed "PASS name".
     */
    public static void runScenarios(List<String> jvmOptions, Class<?> scenarios, String... methods)
            throws IOException, InterruptedException {
        Optional<Path> java = java(22);
        Assumptions.assumeTrue(java.isPresent(), "no JDK 22 or later under /usr/lib/jvm");
        List<String> args = new ArrayList<>();
        args.add(scenarios.getName());
        args.addAll(List.of(methods));
        List<String> options = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        options.addAll(jvmOptions);
        List<String> command = new ArrayList<>(JavaChild.command(options, ScenarioMain.class,
                args.toArray(new String[0])));
        command.set(0, java.get().toString());
        JavaChild.Result result = JavaChild.run(command);
        assertThat(result.exitCode).as(result.toString()).isZero();
        for (String method : methods) {
            assertThat(result.output).as(result.toString()).contains("PASS " + method);
        }
    }

    /** The child's side: runs each scenario, prints PASS or the failure, exits 1 if any failed. */
    public static final class ScenarioMain {
        public static void main(String[] args) throws Exception {
            Class<?> scenarios = Class.forName(args[0]);
            FdCount.warmUp();
            boolean failed = false;
            for (int i = 1; i < args.length; i++) {
                Method method = scenarios.getMethod(args[i]);
                try {
                    method.invoke(null);
                    System.out.println("PASS " + args[i]);
                } catch (InvocationTargetException e) {
                    failed = true;
                    System.out.println("FAIL " + args[i] + " on Java " + Runtime.version());
                    e.getCause().printStackTrace(System.out);
                }
            }
            System.out.flush();
            System.exit(failed ? 1 : 0);
        }
    }
}
