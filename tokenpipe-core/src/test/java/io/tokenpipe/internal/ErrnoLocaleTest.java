package io.tokenpipe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.JavaChild;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The C library's error text is decoded in the encoding of its locale, on both backends: in a child JVM started
 * in French, where glibc's text for EPERM has an é (0xE9 in ISO-8859-1, C3 A9 in UTF-8). The locales are made
 * here with localedef into a temporary LOCPATH (Debian's {@code locales} has the sources, {@code libc-l10n} the
 * French catalogue; .ci/run installs both).
 */
@Timeout(120)
class ErrnoLocaleTest {
    @TempDir
    static Path locales;

    @BeforeAll
    static void makeLocales() throws Exception {
        for (String charset : List.of("ISO-8859-1", "UTF-8")) {
            Process localedef = new ProcessBuilder("localedef", "-i", "fr_FR", "-f", charset,
                    locales.resolve("fr_FR." + charset).toString()).redirectErrorStream(true).start();
            String output = new String(localedef.getInputStream().readAllBytes());
            assertThat(localedef.waitFor()).as("localedef %s: %s", charset, output).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ISO-8859-1", "UTF-8"})
    void errorTextIsDecodedInTheLocalesEncoding(String charset) throws Exception {
        JavaChild.Result result = inLocale("fr_FR." + charset);

        assertThat(result.exitCode).as(result.toString()).isZero();
        assertThat(result.output).as(result.toString()).contains("encoding=" + charset)
                .contains("EPERM (Op\\u00e9ration non permise)");
    }

    private static JavaChild.Result inLocale(String locale) throws IOException, InterruptedException {
        // LANGUAGE would take precedence over LC_ALL for messages in glibc: unset.
        return JavaChild.runUnderShell("unset LANGUAGE; export LOCPATH='" + locales + "' LC_ALL=" + locale + ";",
                List.of(), PrintErrorText.class);
    }

    /** Prints Errno.describe(EPERM) in ASCII: every other character as a backslash-u escape. */
    public static final class PrintErrorText {
        public static void main(String[] args) {
            System.out.println("encoding=" + System.getProperty("native.encoding"));
            StringBuilder escaped = new StringBuilder();
            for (char c : Errno.describe(Errno.EPERM).toCharArray()) {
                escaped.append(c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c));
            }
            System.out.println(escaped);
        }
    }
}
