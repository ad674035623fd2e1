package io.tokenpipe;

import static io.tokenpipe.TokenPipeEnd.TS_EOS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.tokenpipe.testing.FdCount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Redirects, environment, directory, and what start() says when it cannot start anything. */
@ExtendWith(FdCount.class)
@Timeout(60)
class ChildProcessOptionsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path temp;

    @Test
    void outputAndErrorGoToTheirFiles() throws Exception {
        Path out = temp.resolve("out.txt");
        Path err = temp.resolve("err.txt");
        Files.writeString(out, "old content that must be truncated away\n");
        try (ChildProcess child = ChildProcess.builder("sh", "-c", "echo to-out; echo to-err >&2")
                .redirectOutput(out).redirectError(err).start()) {
            assertThat(child.waitFor()).isZero();
        }
        assertThat(Files.readString(out)).isEqualTo("to-out\n");
        assertThat(Files.readString(err)).isEqualTo("to-err\n");
    }

    @Test
    void oneFileForBothStreamsKeepsEveryLine() throws Exception {
        Path both = temp.resolve("both.txt");
        try (ChildProcess child = ChildProcess.builder("sh", "-c", "echo one; echo two >&2; echo three")
                .redirectOutput(both).redirectError(temp.resolve(".").resolve("both.txt")).start()) {
            assertThat(child.waitFor()).isZero();
        }
        assertThat(Files.readString(both)).isEqualTo("one\ntwo\nthree\n");
    }

    @Test
    void inputComesFromItsFile() throws Exception {
        Path in = temp.resolve("in.txt");
        Path out = temp.resolve("out.txt");
        Files.writeString(in, "line one\nline two\n");
        try (ChildProcess child = ChildProcess.builder("sh", "-c", "cat; echo end")
                .redirectInput(in).redirectOutput(out).start()) {
            assertThat(child.waitFor()).isZero();
        }
        assertThat(Files.readString(out)).isEqualTo("line one\nline two\nend\n");
        assertThat(Files.readString(in)).as("opened read-only, left as it was").isEqualTo("line one\nline two\n");
    }

    @Test
    void aDaemonReadsDevNullInsteadOfWhatStartedIt() throws Exception {
        Path out = temp.resolve("out.txt");
        try (ChildProcess child = ChildProcess.builder("sh", "-c", "readlink /proc/$$/fd/0; cat; echo end-of-input")
                .redirectInput(Path.of("/dev/null")).redirectOutput(out).detached(true).start()) {
            assertThat(child.waitFor(PATIENCE)).isTrue();
            assertThat(child.exitValue()).hasValue(0);
        }
        assertThat(Files.readString(out)).isEqualTo("/dev/null\nend-of-input\n");
    }

    @Test
    void aMissingInputFileFailsTheStartNamingItAndLeaksNothing() throws Exception {
        Path missing = temp.resolve("missing.txt");
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            assertThatIOException()
                    .isThrownBy(() -> ChildProcess.builder("true").redirectInput(missing).passEnd(writer, 3).start())
                    .withMessageContaining("input from " + missing)
                    .withMessageContaining("ENOENT");
            assertThat(writer.isOpen()).isFalse();
            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
        }
    }

    @Test
    void environmentAndDirectoryReachTheChild() throws Exception {
        Path out = temp.resolve("env.txt");
        Path dir = Files.createDirectory(temp.resolve("work dir"));
        try (ChildProcess child = ChildProcess.builder("sh", "-c", "echo \"$TOKENPIPE_FD|$HOME|${PATH:+has-path}\"; pwd -P")
                .environment("TOKENPIPE_FD", "3")
                .environment("HOME", "/nowhere")
                .directory(dir)
                .redirectOutput(out)
                .start()) {
            assertThat(child.waitFor()).isZero();
        }
        assertThat(Files.readAllLines(out)).containsExactly("3|/nowhere|has-path", dir.toRealPath().toString());
    }

    @Test
    void aRemovedVariableIsNotInTheChildsEnvironment() throws Exception {
        Path out = temp.resolve("env.txt");
        assertThat(System.getenv("PATH")).as("a variable this JVM has").isNotNull();
        try (ChildProcess child = ChildProcess.builder("/usr/bin/env") // prints its environment, as it got it
                .removeEnvironment("PATH")
                .environment("TOKENPIPE_TEST", "set").removeEnvironment("TOKENPIPE_TEST")
                .removeEnvironment("TOKENPIPE_AGAIN").environment("TOKENPIPE_AGAIN", "v") // the later call wins
                .redirectOutput(out)
                .start()) {
            assertThat(child.waitFor()).isZero();
        }
        assertThat(Files.readAllLines(out)).isNotEmpty()
                .noneMatch(line -> line.startsWith("PATH=") || line.startsWith("TOKENPIPE_TEST="))
                .containsOnlyOnce("TOKENPIPE_AGAIN=v");
        assertThatIllegalArgumentException().isThrownBy(() -> ChildProcess.builder("true").removeEnvironment("A=B"))
                .withMessageContaining("\"A=B\"").withMessageContaining("'='");
    }

    @Test
    void aMissingProgramGivesAnIOExceptionSayingSoAndClosesThePassedEnd() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            assertThatIOException()
                    .isThrownBy(() -> ChildProcess.builder("no-such-program-tokenpipe", "x").passEnd(writer, 3).start())
                    .withMessageContaining("\"no-such-program-tokenpipe\"")
                    .withMessageContaining("ENOENT (No such file or directory)");
            assertThat(writer.isOpen()).isFalse();
            assertThat(reader.tokenRead(PATIENCE)).as("no copy of the write end is left anywhere").isEqualTo(TS_EOS);
        }
    }

    @Test
    void aDirectoryAsTheProgramGivesEacces() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            assertThatIOException()
                    .isThrownBy(() -> ChildProcess.builder(temp.toString()).passEnd(writer, 3).start())
                    .withMessageContaining(temp.toString())
                    .withMessageContaining("EACCES (Permission denied)")
                    .withMessageContaining("it is a directory");
            assertThat(writer.isOpen()).isFalse();
            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
        }
    }

    @Test
    void aMissingDirectoryIsNamed() throws Exception {
        Path missing = temp.resolve("missing");
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            assertThatIOException()
                    .isThrownBy(() -> ChildProcess.builder("true").directory(missing).passEnd(writer, 3).start())
                    .withMessageContaining(missing.toString()).withMessageContaining("does not exist");
            assertThat(writer.isOpen()).isFalse();
            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
        }
    }

    @Test
    void aRedirectThatCannotBeCreatedFailsTheStartAndLeaksNothing() throws Exception {
        Path unwritable = temp.resolve("no-such-dir").resolve("out.txt");
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            assertThatIOException()
                    .isThrownBy(() -> ChildProcess.builder("true").redirectOutput(unwritable).passEnd(writer, 3).start())
                    .withMessageContaining("output to " + unwritable)
                    .withMessageContaining("ENOENT");
            assertThat(writer.isOpen()).isFalse();
            assertThat(reader.tokenRead(PATIENCE)).isEqualTo(TS_EOS);
        }
    }

    @Test
    void badArgumentsAreRefusedWithTheRule() {
        assertThatIllegalArgumentException().isThrownBy(ChildProcess::builder).withMessageContaining("command is empty");
        assertThatIllegalArgumentException().isThrownBy(() -> ChildProcess.builder(List.of()))
                .withMessageContaining("command is empty");
        assertThatNullPointerException().isThrownBy(() -> ChildProcess.builder("echo", null));
        assertThatIllegalArgumentException().isThrownBy(() -> ChildProcess.builder("echo", "a\0b"))
                .withMessageContaining("NUL");
        ChildProcess.Builder builder = ChildProcess.builder("true");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.environment("A=B", "x"))
                .withMessageContaining("\"A=B\"").withMessageContaining("'='");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.environment("", "x"))
                .withMessageContaining("empty");
        assertThatIllegalArgumentException().isThrownBy(() -> builder.environment("A", "x\0"))
                .withMessageContaining("NUL");
        assertThatNullPointerException().isThrownBy(() -> builder.environment("A", null));
        assertThatNullPointerException().isThrownBy(() -> builder.passEnd(null, 3));
    }
}
