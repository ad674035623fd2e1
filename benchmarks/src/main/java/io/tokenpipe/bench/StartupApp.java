package io.tokenpipe.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Context start-up of a small non-web Boot application with actuator, run once per fresh JVM; run.sh starts
 * it with and without tokenpipe-spring-boot-starter (and so tokenpipe-core and JNA) on the class path. No
 * pipe is made. Prints {@code startup <label> <millis of SpringApplication.run> <JVM uptime millis before it>
 * <tokenpipe beans> <whether native code got loaded: JNA's library or FFM's symbol lookup> <CPU millis of the main thread in run>}. The
 * main thread's CPU time does most of the start-up work and, unlike the wall time, is not stretched when other
 * processes take the CPU, so it shows a small difference more steadily.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class StartupApp {

    public static void main(String[] args) throws Exception {
        String label = args[0];
        long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        SpringApplication application = new SpringApplication(StartupApp.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setBannerMode(Banner.Mode.OFF);
        application.setLogStartupInfo(false);
        application.setDefaultProperties(Map.of("logging.level.root", "warn"));
        try (ConfigurableApplicationContext context = application.run()) {
            long nanos = System.nanoTime() - start;
            long cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart;
            int tokenpipeBeans = 0;
            for (String name : context.getBeanDefinitionNames()) {
                Class<?> type = context.getType(name);
                if (type != null && type.getName().startsWith("io.tokenpipe.") && !type.getName().startsWith("io.tokenpipe.bench.")) {
                    tokenpipeBeans++;
                }
            }
            // JNA's library, or the symbol lookup library that FFM's default lookup loads
            String maps = Files.readString(Path.of("/proc/self/maps"));
            boolean jnaLoaded = Pattern.compile("jnidispatch|/jna\\d+\\.tmp|libsyslookup").matcher(maps).find();
            System.out.printf("startup %s %.1f %d %d %b %.1f%n", label, nanos / 1e6, uptime, tokenpipeBeans, jnaLoaded,
                    cpuNanos / 1e6);
        }
    }
}
