package io.tokenpipe;

import static io.tokenpipe.TokenPipeEnd.TS_ERR;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.testing.FdCount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** TokenPipe.isReadEndOpen/isWriteEndOpen and closeAllEnds: for an owner that lends the ends out. */
@ExtendWith(FdCount.class)
@Timeout(60)
class TokenPipeCloseAllEndsTest {

    @Test
    void endStateIsVisibleWhetherTakenOrNot() {
        TokenPipe pipe = TokenPipe.make().orElseThrow();
        assertThat(pipe.isReadEndOpen()).isTrue();
        assertThat(pipe.isWriteEndOpen()).isTrue();
        TokenPipeEnd reader = pipe.takeReadEnd();
        assertThat(pipe.isReadEndOpen()).as("taken, still open").isTrue();
        reader.close();
        assertThat(pipe.isReadEndOpen()).as("closed by its holder").isFalse();
        assertThat(pipe.isWriteEndOpen()).isTrue();
        pipe.close();
        assertThat(pipe.isWriteEndOpen()).as("closed by the pipe").isFalse();
    }

    @Test
    void closeAllEndsClosesTakenEndsAndWakesTheirBlockedCalls() throws Exception {
        int before = FdCount.openFdCount();
        TokenPipe pipe = TokenPipe.make().orElseThrow();
        TokenPipeEnd reader = pipe.takeReadEnd();
        BlockedRead blocked = BlockedRead.start(reader, "lent-reader");
        pipe.closeAllEnds();
        assertThat(blocked.result()).containsExactly(TS_ERR, Errno.EBADF);
        assertThat(pipe.isReadEndOpen()).isFalse();
        assertThat(pipe.isWriteEndOpen()).isFalse();
        assertThat(reader.isOpen()).isFalse();
        reader.close(); // the holder's own close does nothing more
        assertThat(pipe.takeWriteEnd().tokenWrite(1)).as("a later take gets a closed end").isEqualTo(TS_ERR);
        pipe.closeAllEnds();
        FdCount.assertBackTo(before, "closeAllEnds");
    }
}
