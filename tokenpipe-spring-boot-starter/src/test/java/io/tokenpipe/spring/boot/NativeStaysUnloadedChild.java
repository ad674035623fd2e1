package io.tokenpipe.spring.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import io.tokenpipe.spring.boot.actuate.TokenPipeHealthIndicator;
import io.tokenpipe.spring.boot.actuate.TokenPipeMetrics;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Run in a fresh JVM by {@link NativeStaysUnloadedTests}: starts a full auto-configured application (factory,
 * health indicator, meters) and prints whether JNA's native library is mapped into the process, before and
 * after the first pipe is made.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class NativeStaysUnloadedChild {

    private static final Pattern JNA_LIBRARY = Pattern.compile("jnidispatch|/jna\\d+\\.tmp");

    public static void main(String[] args) throws IOException {
        SpringApplication application = new SpringApplication(NativeStaysUnloadedChild.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext context = application.run(args)) {
            System.out.println("beans: factory=" + context.getBeanNamesForType(TokenPipeFactory.class).length
                    + " health=" + context.getBeanNamesForType(TokenPipeHealthIndicator.class).length + " metrics="
                    + context.getBeanNamesForType(TokenPipeMetrics.class).length);
            System.out.println("native after start-up: " + jnaMapped());
            context.getBean(TokenPipeFactory.class).create("first").close();
            System.out.println("native after create: " + jnaMapped());
        }
    }

    /**
     * Whether libjnidispatch, which JNA loads on first use, is mapped into this process: JNA maps it from the
     * jar's own copy unpacked to a temp file "jna<digits>.tmp", or from the system's libjnidispatch.so.
     */
    private static boolean jnaMapped() throws IOException {
        return JNA_LIBRARY.matcher(Files.readString(Path.of("/proc/self/maps"))).find();
    }

}
