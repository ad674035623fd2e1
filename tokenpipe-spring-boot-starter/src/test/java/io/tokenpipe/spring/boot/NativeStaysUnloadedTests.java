package io.tokenpipe.spring.boot;

import java.util.List;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.JavaChild;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starting an application with the starter loads nothing native: JNA is loaded by the first pipe, not by the
 * factory, the health indicator or the meters. Checked in a fresh JVM through /proc/self/maps.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class NativeStaysUnloadedTests {

    @Test
    void startUpLoadsNoNativeCodeAndTheFirstPipeDoes() throws Exception {
        JavaChild.Result result = JavaChild.run(JavaChild.command(List.of(), NativeStaysUnloadedChild.class));
        assertThat(result.exitCode).as(result.output).isZero();
        assertThat(result.output).contains("beans: factory=1 health=1 metrics=1")
            .contains("native after start-up: false")
            .contains("native after create: true");
    }

}
