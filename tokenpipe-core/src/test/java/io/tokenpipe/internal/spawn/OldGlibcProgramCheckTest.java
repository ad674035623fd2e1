package io.tokenpipe.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

import io.tokenpipe.ChildProcess;
import io.tokenpipe.testing.FdCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * On glibc before 2.24 posix_spawnp returns 0 for a program that cannot be run (the child exits 127), so the
 * program is looked up first there. This glibc is newer: the look-up is forced, and must give the same
 * IOExceptions posix_spawnp gives itself, and nothing for programs that do run.
 */
@ExtendWith(FdCount.class)
@Timeout(60)
class OldGlibcProgramCheckTest {
    @TempDir
    Path temp;

    @BeforeEach
    void force() {
        OldGlibc.forceProgramCheck = true;
    }

    @AfterEach
    void restore() {
        OldGlibc.forceProgramCheck = false;
    }

    @Test
    void missingAndUnrunnableProgramsAreRefusedBeforeTheSpawn() throws Exception {
        assertThatIOException().isThrownBy(() -> ChildProcess.builder("tokenpipe-no-such-program").start())
                .withMessage("Cannot run program \"tokenpipe-no-such-program\": ENOENT (No such file or directory)");
        assertThatIOException().isThrownBy(() -> ChildProcess.builder(temp.resolve("missing").toString()).start())
                .withMessageContaining("ENOENT");
        assertThatIOException().isThrownBy(() -> ChildProcess.builder(temp.toString()).start())
                .withMessageContaining("EACCES").withMessageContaining("it is a directory");
        Path script = Files.writeString(temp.resolve("not-executable.sh"), "#!/bin/sh\nexit 0\n");
        assertThatIOException().isThrownBy(() -> ChildProcess.builder(script.toString()).start())
                .withMessageContaining("EACCES");
    }

    @Test
    void programsOnThePathAndRelativeToTheDirectoryStillRun() throws Exception {
        try (ChildProcess child = ChildProcess.builder("sh", "-c", "exit 3").start()) {
            assertThat(child.waitFor(Duration.ofSeconds(30))).isTrue();
            assertThat(child.exitValue()).hasValue(3);
        }
        Path script = Files.writeString(temp.resolve("run.sh"), "#!/bin/sh\nexit 4\n");
        assertThat(script.toFile().setExecutable(true)).isTrue();
        try (ChildProcess child = ChildProcess.builder("./run.sh").directory(temp).start()) {
            assertThat(child.waitFor(Duration.ofSeconds(30))).isTrue();
            assertThat(child.exitValue()).hasValue(4);
        }
    }
}
