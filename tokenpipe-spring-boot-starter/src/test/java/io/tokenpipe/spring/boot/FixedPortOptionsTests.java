package io.tokenpipe.spring.boot;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The JVM options that open a fixed port, known by the port; {@code DaemonModeIT} starts launchers with them. */
class FixedPortOptionsTests {

    @Test
    void optionsThatOpenAFixedPortAreKnownByThePort() {
        assertThat(FixedPortOptions.fixedPort("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=5005"))
            .isEqualTo("5005");
        assertThat(FixedPortOptions.fixedPort("-agentlib:jdwp=transport=dt_socket,server=y,address=*:5005"))
            .isEqualTo("5005");
        assertThat(FixedPortOptions.fixedPort("-Xrunjdwp:transport=dt_socket,address=[::1]:5005,server=y"))
            .isEqualTo("5005");
        assertThat(FixedPortOptions.fixedPort("-agentpath:/jdk/lib/libjdwp.so=transport=dt_socket,server=y,address=9"))
            .isEqualTo("9");
        assertThat(FixedPortOptions.fixedPort("-Dcom.sun.management.jmxremote.port=9010")).isEqualTo("9010");
        assertThat(FixedPortOptions.fixedPort("-Dcom.sun.management.jmxremote.rmi.port=9011")).isEqualTo("9011");
        // any free port, no listening, or no port at all: the copy can have them too
        assertThat(Stream.of("-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=0",
                "-agentlib:jdwp=transport=dt_socket,server=y,address=localhost:0",
                "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n",
                "-agentlib:jdwp=transport=dt_socket,server=n,address=5005", "-agentlib:jdwp=help",
                "-agentpath:/opt/profiler.so=port=5005", "-agentpath:/=x", "-Dcom.sun.management.jmxremote.port=0",
                "-Dcom.sun.management.jmxremote.ssl=false", "-XX:StartFlightRecording=filename=app.jfr", "-Xmx64m")
            .map(FixedPortOptions::fixedPort)).containsOnlyNulls();
    }

}
