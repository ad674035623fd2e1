package io.tokenpipe.spring.boot;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The variables' options, split and left out of the copy's command line, without starting a JVM;
 * {@link JvmEnvironmentOptionsTests} checks the same against real JVMs.
 */
class JvmOptionVariablesTests {

    @Test
    void jvmOptionsFromTheEnvironmentAreLeftToTheEnvironmentTheCopyInherits() {
        List<String> input = List.of("-Dfrom.tool=1", "-Dfrom.jdk=1", "-Dmine=1", "-Dfrom.underscore=1");
        assertThat(JvmOptionVariables.commandLineOptions(input, "-Dfrom.tool=1", "-Dfrom.jdk=1",
                "-Dfrom.underscore=1")).containsExactly("-Dmine=1");
        assertThat(JvmOptionVariables.commandLineOptions(input, null, " ", null)).isEqualTo(input);
        assertThat(JvmOptionVariables.commandLineOptions(input, "-Dother=1", null, "-Dmine=1")).isEqualTo(input);
    }

    @Test
    void optionsAfterTheCommandLinesAreThoseOfUnderscoreJavaOptions() {
        // HotSpot reads _JAVA_OPTIONS after the command line: an equal option before them is the command line's
        List<String> input = List.of("-Dx=1", "-javaagent:a.jar", "-Dx=1", "-javaagent:a.jar");
        assertThat(JvmOptionVariables.commandLineOptions(input, null, null, "-Dx=1 -javaagent:a.jar"))
            .containsExactly("-Dx=1", "-javaagent:a.jar");
    }

    @Test
    void variablesAreSplitAsTheJvmSplitsThem() {
        assertThat(JvmOptionVariables.words(" -Da=\"b c\"\t'-Dd=e f'  -Dg=h\"i j\"k'l m' -Dn=\"it's\" -Do=p\\q\n"))
            .containsExactly("-Da=b c", "-Dd=e f", "-Dg=hi jkl m", "-Dn=it's", "-Do=p\\q");
        assertThat(JvmOptionVariables.words(null)).isEmpty();
        assertThat(JvmOptionVariables.words(" \t ")).isEmpty();
    }

    @Test
    void jdkJavaOptionsAreMatchedAsTheLauncherPassesThem() {
        List<String> input = List.of("--add-opens=java.base/java.lang=ALL-UNNAMED", "--module-path=/m", "-Dj=1",
                "-Dmine=1");
        assertThat(JvmOptionVariables.commandLineOptions(input, null,
                "--add-opens java.base/java.lang=ALL-UNNAMED -cp /ignored -p /m -showversion -Dj=1", null))
            .containsExactly("-Dmine=1");
    }

}
