package io.tokenpipe.spring.boot.aot;

import java.util.function.Consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.spring.boot.TokenPipeProperties;
import io.tokenpipe.spring.boot.actuate.TokenPipeHealthIndicator;
import io.tokenpipe.spring.boot.actuate.TokenPipeMetrics;
import io.tokenpipe.spring.boot.actuate.TokenPipesEndpoint;
import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;
import io.tokenpipe.spring.boot.autoconfigure.endpoint.TokenPipesEndpointAutoConfiguration;
import io.tokenpipe.spring.boot.autoconfigure.health.TokenPipeHealthContributorAutoConfiguration;
import io.tokenpipe.spring.boot.autoconfigure.metrics.TokenPipeMetricsAutoConfiguration;
import io.tokenpipe.testing.FdCount;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.test.tools.CompileWithForkedClassLoader;
import org.springframework.core.test.tools.TestCompiler;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter under AOT: the application context is processed ahead of time as {@code spring-boot:process-aot}
 * does ({@link ApplicationContextAotGenerator}), the generated code is compiled and a fresh context is started
 * from it, as {@code -Dspring.aot.enabled=true} would. Conditions are evaluated at build time, so
 * {@code tokenpipe.enabled} and endpoint exposure are fixed then.
 */
@CompileWithForkedClassLoader
class TokenPipeAotTests {

    @Test
    void processedContextStartsWithEveryBeanAndMakesPipes() {
        compileAndRun(process("management.endpoints.web.exposure.include=tokenpipes"), (context) -> {
            assertThat(context.getBeanNamesForType(TokenPipeHealthIndicator.class)).hasSize(1);
            assertThat(context.getBeanNamesForType(TokenPipesEndpoint.class)).hasSize(1);
            assertThat(context.getBean(TokenPipeHealthIndicator.class).health(true).getStatus()).isEqualTo(Status.UP);
            assertThat(context.getBean(MeterRegistry.class).get("tokenpipe.pipes.max").gauge().value()).isEqualTo(1024);
            assertThat(context.getBean(TokenPipeMetrics.class)).isNotNull();
            // Pipes only, counted here, not around the test: the compiler keeps the class path's jars open, and the
            // garbage collector may close some of them at any moment (170 descriptors before, 150 after, once).
            int before = FdCount.openPipeCount();
            TokenPipeFactory factory = context.getBean(TokenPipeFactory.class);
            try (TokenPipe pipe = factory.create("aot"); TokenPipeEnd reader = pipe.takeReadEnd();
                    TokenPipeEnd writer = pipe.takeWriteEnd()) {
                assertThat(writer.tokenWrite(1)).isZero();
                assertThat(reader.tokenRead()).isEqualTo(1);
            }
            FdCount.assertPipesBackTo(before, "a pipe of the AOT-built context");
        });
    }

    @Test
    void tokenpipeEnabledAndEndpointExposureAreFixedAtBuildTime() {
        ClassName initializer = process("tokenpipe.enabled=false");
        compileAndRun(initializer, "tokenpipe.enabled=true", "management.endpoints.web.exposure.include=tokenpipes",
                (context) -> {
                    assertThat(context.getBeanNamesForType(TokenPipeFactory.class)).as("left out at build time").isEmpty();
                    assertThat(context.getBeanNamesForType(TokenPipesEndpoint.class)).isEmpty();
                });
    }

    @Test
    void runtimeHintsCoverWhatTheNotifierBindsOutsideBeans() {
        // Without the TokenPipeProperties bean (whose binding Boot's AOT covers itself), so that only the
        // starter's registrar in META-INF/spring/aot.factories can have added these.
        process("tokenpipe.enabled=false");
        RuntimeHints hints = this.generation.getRuntimeHints();
        assertThat(RuntimeHintsPredicates.reflection().onType(TokenPipeProperties.Notify.class)).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(TokenPipeProperties.Notify.class, "setFd"))
            .accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(TokenPipeProperties.Notify.class,
                "setReadyToken")).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(TokenPipeProperties.Systemd.class,
                "setWatchdogHealthGroup")).accepts(hints);
        assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(TokenPipeProperties.Daemon.class,
                "setTimeout")).accepts(hints);
    }

    private TestGenerationContext generation = new TestGenerationContext(TokenPipeAotTests.class);

    /** Processes a context of {@link Application} with {@code properties}, as process-aot does at build time. */
    private ClassName process(String... properties) {
        try (GenericApplicationContext context = new AnnotationConfigApplicationContext()) {
            TestPropertyValues.of(properties).applyTo(context);
            ((AnnotationConfigApplicationContext) context).register(Application.class);
            ClassName initializer = new ApplicationContextAotGenerator().processAheadOfTime(context, this.generation);
            this.generation.writeGeneratedContent();
            return initializer;
        }
    }

    private void compileAndRun(ClassName initializer, Consumer<GenericApplicationContext> assertions) {
        compileAndRun(initializer, null, null, assertions);
    }

    /** Compiles what was generated and runs a fresh context from it, with {@code properties} at run time. */
    @SuppressWarnings("unchecked")
    private void compileAndRun(ClassName initializer, String property1, String property2,
            Consumer<GenericApplicationContext> assertions) {
        TestCompiler.forSystem().with(this.generation).compile((compiled) -> {
            try (GenericApplicationContext fresh = new GenericApplicationContext()) {
                if (property1 != null) {
                    TestPropertyValues.of(property1, property2).applyTo(fresh);
                }
                compiled.getInstance(ApplicationContextInitializer.class, initializer.toString()).initialize(fresh);
                fresh.refresh();
                assertions.accept(fresh);
            }
        });
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration({ TokenPipeAutoConfiguration.class, TokenPipeHealthContributorAutoConfiguration.class,
            TokenPipeMetricsAutoConfiguration.class, TokenPipesEndpointAutoConfiguration.class,
            MetricsAutoConfiguration.class })
    public static class Application {

        @Bean
        public SimpleMeterRegistry meterRegistry() {
            return new SimpleMeterRegistry();
        }

    }

}
