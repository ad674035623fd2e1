package io.tokenpipe.faults;

import static io.tokenpipe.TokenPipeEnd.TS_EOS;
import static io.tokenpipe.TokenPipeEnd.TS_ERR;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.ChildProcess;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.internal.Errno;
import io.tokenpipe.testing.FdCount;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The other side of the pipe dies mid-protocol: the survivor gets a status, never a hang or a dead JVM. */
@ExtendWith(FdCount.class)
@Timeout(120)
class ChildFaultsIT {
    private static final int ROUNDS = 50;

    @Test
    void aWriterKilledMidProtocolGivesEndOfStreamNeverAHang() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
                // the child says "starting" (2), then works forever; it is killed before it says "ready"
                ChildProcess child = ChildProcess.builder("/bin/sh", "-c", "printf '\\002' >&3; exec sleep 600")
                        .passEnd(pipe.takeWriteEnd(), 3).start();
                assertThat(reader.tokenRead(Duration.ofSeconds(30))).isEqualTo(2);
                child.destroyForcibly();
                assertThat(reader.tokenRead(Duration.ofSeconds(30))).as("round %d", round).isEqualTo(TS_EOS);
                assertThat(child.waitFor()).isEqualTo(128 + 9);
                child.close();
            }
        }
        Figures.report("writer child killed with SIGKILL mid-protocol", ROUNDS + " children",
                "0 hangs: every reader got TS_EOS, exit 137");
    }

    @Test
    void aReaderThatIsGoneMakesWritesFailWithEpipeAndTheJvmLives() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
                ChildProcess child = ChildProcess.builder("/bin/sh", "-c", "exec sleep 600")
                        .passEnd(pipe.takeReadEnd(), 3).start();
                assertThat(writer.tokenWrite(1)).isZero(); // the child holds the only read end
                if (round % 2 == 0) {
                    child.destroyForcibly();
                } else {
                    child.destroy();
                }
                child.waitFor();
                assertThat(writer.tokenWrite(2)).as("round %d", round).isEqualTo(TS_ERR);
                assertThat(writer.lastErrno()).isEqualTo(Errno.EPIPE);
                child.close();
            }
        }
        Figures.report("reader child killed, then written to", ROUNDS + " children",
                "JVM alive (SIGPIPE ignored), every write TS_ERR with EPIPE");
    }
}
