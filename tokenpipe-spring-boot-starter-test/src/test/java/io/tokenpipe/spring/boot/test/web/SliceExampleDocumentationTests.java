package io.tokenpipe.spring.boot.test.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.QuietOutput;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Keeps the {@code @AutoConfigureTokenPipes} example of {@code docs/spring-boot.md} true: its three files are in
 * {@code src/test/java/com/example/pipes} exactly as the document shows them (so the build compiles them), and the
 * example's test passes, run from here under {@link FdCount} (the build's surefire run leaves
 * {@code com.example} to this class, as the example itself carries none of this project's test extensions).
 */
@ExtendWith({ FdCount.class, QuietOutput.class })
class SliceExampleDocumentationTests {

    static final String DOCUMENT = "docs/spring-boot.md";

    static final String SECTION = "### `@AutoConfigureTokenPipes` in a test slice";

    static final String EXAMPLE_TEST = "com.example.pipes.PipeControllerTests";

    /** A file name in backticks on its own line, then the block: "`src/main/java/.../X.java`:" and ```java. */
    private static final Pattern FILE_AND_BLOCK = Pattern
        .compile("^`(src/(?:main|test)/java/[^`]+\\.java)`:\\n```java\\n(.*?)^```$", Pattern.MULTILINE | Pattern.DOTALL);

    /** The example's Spring test context is made (and cached) once, so that the counted run makes only the pipe. */
    @BeforeAll
    static void runTheExampleOnce() {
        run();
    }

    @Test
    void documentShowsTheExampleFilesAsTheyAre() throws IOException {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        String document = Files.readString(module.getParent().resolve(DOCUMENT));
        int start = document.indexOf(SECTION);
        assertThat(start).as("the section %s in %s", SECTION, DOCUMENT).isNotNegative();
        int end = document.indexOf("\n#", start + SECTION.length());
        String section = document.substring(start, (end < 0) ? document.length() : end);
        List<String> shown = new ArrayList<>();
        Matcher block = FILE_AND_BLOCK.matcher(section);
        while (block.find()) {
            String file = block.group(1);
            shown.add(file);
            Path source = module.resolve("src/test/java").resolve(file.replaceFirst("^src/(main|test)/java/", ""));
            assertThat(source).as("the example file %s of %s", file, DOCUMENT).isRegularFile();
            assertThat(block.group(2)).as("%s as %s shows it", file, DOCUMENT).isEqualTo(Files.readString(source));
        }
        assertThat(shown).containsExactly("src/main/java/com/example/pipes/PipeApplication.java",
                "src/main/java/com/example/pipes/PipeController.java",
                "src/test/java/com/example/pipes/PipeControllerTests.java");
    }

    @Test
    void theExampleTestPassesAndClosesItsPipe() {
        Events tests = run();
        tests.assertStatistics((stats) -> stats.started(1).succeeded(1).failed(0).aborted(0));
    }

    private static Events run() {
        Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(EXAMPLE_TEST)).execute().testEvents();
        tests.failed().stream().forEach((event) -> event.getRequiredPayload(TestExecutionResult.class)
            .getThrowable()
            .ifPresent((failure) -> {
                throw new AssertionError(EXAMPLE_TEST + " failed", failure);
            }));
        return tests;
    }

}
