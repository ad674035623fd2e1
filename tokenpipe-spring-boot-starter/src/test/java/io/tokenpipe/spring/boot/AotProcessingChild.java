package io.tokenpipe.spring.boot;

import java.nio.file.Files;
import java.nio.file.Path;

import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationAotProcessor;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.AbstractAotProcessor.Settings;

/**
 * Run as a child JVM by {@link ReadinessNotificationChildTests} with a pipe's write end at fd 3 and
 * {@code TOKENPIPE_NOTIFY_FD=3}: AOT-processes {@link Application} with Boot's own {@link SpringApplicationAotProcessor}
 * (what {@code spring-boot:process-aot} runs), then prints the flags of fd 3 from /proc/self/fdinfo.
 */
public final class AotProcessingChild {

    private AotProcessingChild() {
    }

    public static void main(String[] args) throws Exception {
        Path output = Path.of(args[0]);
        Settings settings = Settings.builder()
            .sourceOutput(output.resolve("sources"))
            .resourceOutput(output.resolve("resources"))
            .classOutput(output.resolve("classes"))
            .groupId("io.tokenpipe")
            .artifactId("aot-child")
            .build();
        new SpringApplicationAotProcessor(Application.class, settings, new String[0]).process();
        System.out.println("processed: " + Files.isDirectory(output.resolve("sources")));
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/3"))) {
            if (line.startsWith("flags:")) {
                System.out.println("fd 3 " + line.replaceAll("\\s+", " "));
            }
        }
    }

    /** The application the processor runs: the starter and nothing else. */
    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    public static class Application {

        public static void main(String[] args) {
            SpringApplication application = new SpringApplication(Application.class);
            application.setWebApplicationType(WebApplicationType.NONE);
            application.run(args);
        }

    }

}
