package io.tokenpipe;

import static io.tokenpipe.TokenPipeEnd.TS_EOS;
import static io.tokenpipe.TokenPipeEnd.TS_ERR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.RawFds;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TokenPipeEnd.detach: the end lets its descriptor go, open and no longer close-on-exec, so that code in the
 * same JVM can adopt it as if it had been inherited.
 */
@ExtendWith(FdCount.class)
@Timeout(60)
class TokenPipeEndDetachTest {

    @Test
    void detachLeavesTheDescriptorOpenWithoutCloseOnExecAndTheEndClosed() {
        int before = FdCount.openFdCount();
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            assertThat(RawFds.fdinfoFlags(fdOf(writer)) & RawFds.O_CLOEXEC).as("made close-on-exec").isNotZero();
            int fd = writer.detach();
            assertThat(writer.isOpen()).isFalse();
            assertThat(pipe.isWriteEndOpen()).isFalse();
            assertThat(writer.tokenWrite(1)).isEqualTo(TS_ERR);
            assertThat(writer.lastErrno()).isEqualTo(Errno.EBADF);
            writer.close(); // does nothing now: the descriptor is no longer its own
            assertThat(RawFds.isOpen(fd)).isTrue();
            assertThat(RawFds.fdinfoFlags(fd) & RawFds.O_CLOEXEC).as("close-on-exec cleared").isZero();
            assertThat(FdCount.openFdCount()).as("the descriptor is still the one pipe end").isEqualTo(before + 2);
            try (TokenPipeEnd adopted = TokenPipeEnd.adopt(fd)) {
                assertThat(RawFds.fdinfoFlags(fd) & RawFds.O_CLOEXEC).as("adopt sets it again").isNotZero();
                assertThat(adopted.tokenWrite(7)).isZero();
                assertThat(reader.tokenRead()).isEqualTo(7);
            }
            assertThat(RawFds.isOpen(fd)).isFalse();
            assertThat(reader.tokenRead()).isEqualTo(TS_EOS);
        }
        FdCount.assertBackTo(before, "detach, adopt and close");
    }

    @Test
    void detachOfAClosedOrDetachedEndThrows() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow()) {
            TokenPipeEnd reader = pipe.takeReadEnd();
            reader.close();
            assertThatIllegalStateException().isThrownBy(reader::detach)
                    .withMessageContaining("the end is closed");
            assertThatIllegalStateException().isThrownBy(() -> pipe.takeReadEnd().detach())
                    .withMessageContaining("the end is closed");
            TokenPipeEnd writer = pipe.takeWriteEnd();
            int fd = writer.detach();
            assertThatIllegalStateException().isThrownBy(writer::detach).withMessageContaining("detached before");
            assertThat(RawFds.close(fd)).isZero();
        }
    }

    @Test
    void detachWaitsForABlockedReadWhichReturnsBadDescriptor() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
            TokenPipeEnd reader = pipe.takeReadEnd();
            BlockedRead blocked = BlockedRead.start(reader, "blocked-reader");
            int fd = reader.detach();
            assertThat(blocked.result()).containsExactly(TS_ERR, Errno.EBADF);
            assertThat(writer.tokenWrite(3)).isZero();
            try (TokenPipeEnd adopted = TokenPipeEnd.adopt(fd)) {
                assertThat(adopted.tokenRead(Duration.ofSeconds(10))).as("the token waited in the pipe").isEqualTo(3);
            }
        }
    }

    @Test
    void aDetachedEndThatIsGarbageCollectedLeavesTheDescriptorOpen() throws Exception {
        int fd;
        try (TokenPipe pipe = TokenPipe.make().orElseThrow()) {
            fd = pipe.takeWriteEnd().detach();
        }
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(RawFds.isOpen(fd)).as("the leak guard no longer owns it").isTrue();
        assertThat(RawFds.close(fd)).isZero();
    }

    /** The descriptor number from toString ("TokenPipeEnd[fd=5, open]"): the public API never shows it otherwise. */
    private static int fdOf(TokenPipeEnd end) {
        String text = end.toString();
        return Integer.parseInt(text.substring(text.indexOf("fd=") + 3, text.indexOf(',')));
    }
}
