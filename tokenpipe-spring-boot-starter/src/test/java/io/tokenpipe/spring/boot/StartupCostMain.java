package io.tokenpipe.spring.boot;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.metrics.StartupStep;

/**
 * Not a test: prints how long an auto-configured application (actuator, Micrometer, no web server) takes to
 * start, for the README's start-up cost figure. It names no starter class, so it runs with or without the
 * starter on the class path; compare the two (see README, "Spring Boot", start-up cost).
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class StartupCostMain {

    public static void main(String[] args) {
        SpringApplication application = new SpringApplication(StartupCostMain.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        BufferingApplicationStartup steps = new BufferingApplicationStartup(100_000);
        application.setApplicationStartup(steps);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        try (ConfigurableApplicationContext context = application.run("--spring.main.banner-mode=off",
                "--logging.level.root=warn")) {
            long wall = System.nanoTime() - start;
            long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
            // Instantiation steps of the starter's beans, class loading included; a bean made while another is
            // being made (the properties, for the factory) is inside that one's step, so only outer ones count.
            List<StartupTimeline.TimelineEvent> events = steps.getBufferedTimeline().getEvents();
            Set<Long> tokenPipeSteps = new HashSet<>();
            double tokenPipeBeansMs = 0;
            for (StartupTimeline.TimelineEvent event : events) {
                StartupStep step = event.getStartupStep();
                if (step.getName().equals("spring.beans.instantiate") && isTokenPipeBean(step)) {
                    tokenPipeSteps.add(step.getId());
                }
            }
            for (StartupTimeline.TimelineEvent event : events) {
                StartupStep step = event.getStartupStep();
                if (tokenPipeSteps.contains(step.getId()) && !tokenPipeSteps.contains(step.getParentId())) {
                    tokenPipeBeansMs += event.getDuration().toNanos() / 1e6;
                    if (Boolean.getBoolean("verbose")) {
                        step.getTags().forEach((tag) -> System.out.print(tag.getValue() + " "));
                        System.out.println(event.getDuration().toNanos() / 1e6);
                    }
                }
            }
            System.out.printf("startup wall-ms=%.1f main-thread-cpu-ms=%.1f beans=%d tokenpipe-beans-ms=%.2f%n",
                    wall / 1e6, cpu / 1e6, context.getBeanDefinitionCount(), tokenPipeBeansMs);
        }
    }

    private static boolean isTokenPipeBean(StartupStep step) {
        for (StartupStep.Tag tag : step.getTags()) {
            if (tag.getKey().equals("beanName") && tag.getValue().toLowerCase().contains("tokenpipe")) {
                return true;
            }
        }
        return false;
    }

}
