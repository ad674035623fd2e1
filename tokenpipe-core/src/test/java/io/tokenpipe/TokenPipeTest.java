package io.tokenpipe;

import static io.tokenpipe.TokenPipeEnd.TS_EOS;
import static io.tokenpipe.TokenPipeEnd.TS_ERR;
import static io.tokenpipe.TokenPipeEnd.TS_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.NativeThreads;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The contract shared with Bitcoin Core's util/tokenpipe and the Rust crate, on real pipes. */
@ExtendWith(FdCount.class)
@Timeout(30)
class TokenPipeTest {

    @Test
    void everyTokenMakesTheRoundTrip() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            for (int token = 0; token <= 255; token++) {
                assertThat(writer.tokenWrite(token)).isZero();
                assertThat(reader.tokenRead()).isEqualTo(token);
            }
        }
    }

    @Test
    void tokensArriveInOrderWrittenBeforeTheyAreRead() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            for (int token = 255; token >= 0; token--) {
                assertThat(writer.tokenWrite(token)).isZero();
            }
            for (int token = 255; token >= 0; token--) {
                assertThat(reader.tokenRead()).isEqualTo(token);
            }
        }
    }

    @Test
    void readAfterWriterClosedReturnsEos() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            TokenPipeEnd writer = pipe.takeWriteEnd();
            assertThat(writer.tokenWrite(7)).isZero();
            writer.close();
            assertThat(reader.tokenRead()).isEqualTo(7);
            assertThat(reader.tokenRead()).isEqualTo(TS_EOS);
            assertThat(reader.tokenRead()).isEqualTo(TS_EOS);
            assertThat(reader.lastErrno()).isZero();
        }
    }

    @Test
    void writeAfterReaderClosedReturnsErrWithEpipeAndTheJvmLives() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
            pipe.takeReadEnd().close();
            assertThat(writer.tokenWrite(1)).isEqualTo(TS_ERR);
            assertThat(writer.lastErrno()).isEqualTo(Errno.EPIPE).isEqualTo(32);
            assertThat(writer.tokenWrite(2)).isEqualTo(TS_ERR);
            assertThat(writer.isOpen()).isTrue();
            assertThat(writer).hasToString("TokenPipeEnd[fd=" + writer.toString().replaceAll("\\D*(\\d+).*", "$1")
                    + ", open, lastErrno=EPIPE]");
        }
    }

    @Test
    void secondTakeGivesAClosedEndThatNeverTouchesADescriptor() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            TokenPipeEnd secondReader = pipe.takeReadEnd();
            TokenPipeEnd secondWriter = pipe.takeWriteEnd();
            assertThat(secondReader.isOpen()).isFalse();
            assertThat(secondWriter.isOpen()).isFalse();
            assertThat(secondReader.lastErrno()).isZero(); // no call failed yet
            assertThat(secondReader).hasToString("TokenPipeEnd[closed]");
            assertThat(secondReader.tokenRead()).isEqualTo(TS_ERR);
            assertThat(secondReader.tokenRead(Duration.ofSeconds(1))).isEqualTo(TS_ERR);
            assertThat(secondWriter.tokenWrite(9)).isEqualTo(TS_ERR);
            assertThat(secondWriter.lastErrno()).isEqualTo(Errno.EBADF);
            assertThat(secondReader).hasToString("TokenPipeEnd[closed, lastErrno=EBADF]");
            assertThat(pipe.takeReadEnd().lastErrno()).as("each closed end has an errno of its own").isZero();
            secondReader.close();
            secondWriter.close();
            // the real ends were not disturbed, nor their errno
            assertThat(writer.tokenWrite(3)).isZero();
            assertThat(reader.tokenRead()).isEqualTo(3);
            assertThat(reader.lastErrno()).isZero();
            assertThat(writer.lastErrno()).isZero();
        }
    }

    @Test
    void closeBeforeTakingClosesBothEnds() {
        TokenPipe pipe = TokenPipe.make().orElseThrow();
        int before = FdCount.openFdCount();
        pipe.close();
        assertThat(FdCount.openFdCount()).isEqualTo(before - 2);
        TokenPipeEnd reader = pipe.takeReadEnd();
        TokenPipeEnd writer = pipe.takeWriteEnd();
        assertThat(reader.isOpen()).isFalse();
        assertThat(writer.isOpen()).isFalse();
        assertThat(reader.tokenRead()).isEqualTo(TS_ERR);
        assertThat(reader.lastErrno()).isEqualTo(Errno.EBADF);
        assertThat(writer.tokenWrite(0)).isEqualTo(TS_ERR);
        pipe.close(); // idempotent
    }

    @Test
    void pipeCloseLeavesTakenEndsToTheirOwner() {
        TokenPipe pipe = TokenPipe.make().orElseThrow();
        try (TokenPipeEnd reader = pipe.takeReadEnd()) {
            pipe.close();
            assertThat(reader.isOpen()).isTrue();
            assertThat(reader.tokenRead()).isEqualTo(TS_EOS); // the untaken writer was closed
        }
    }

    @Test
    void closeIsIdempotentAndEndsReportIt() {
        TokenPipe pipe = TokenPipe.make().orElseThrow();
        TokenPipeEnd reader = pipe.takeReadEnd();
        TokenPipeEnd writer = pipe.takeWriteEnd();
        assertThat(reader.isOpen()).isTrue();
        reader.close();
        reader.close();
        writer.close();
        writer.close();
        pipe.close();
        assertThat(reader.isOpen()).isFalse();
        assertThat(reader.tokenRead()).isEqualTo(TS_ERR);
        assertThat(reader.lastErrno()).isEqualTo(Errno.EBADF);
        assertThat(writer.tokenWrite(1)).isEqualTo(TS_ERR);
        assertThat(writer.lastErrno()).isEqualTo(Errno.EBADF);
    }

    @Test
    void tokensOutsideAByteAreRefusedAndNothingIsWritten() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            for (int bad : new int[] {-1, 256, Integer.MIN_VALUE, Integer.MAX_VALUE, 1000}) {
                assertThatIllegalArgumentException().isThrownBy(() -> writer.tokenWrite(bad))
                        .withMessageContaining("token " + bad).withMessageContaining("0..255");
            }
            assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(TS_TIMEOUT);
            assertThat(writer.lastErrno()).isZero();
        }
    }

    @Test
    void timedReadReturnsTimeoutWhenNothingArrives() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            long start = System.nanoTime();
            assertThat(reader.tokenRead(Duration.ofMillis(100))).isEqualTo(TS_TIMEOUT);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(TS_TIMEOUT);
            assertThat(writer.tokenWrite(200)).isZero();
            assertThat(reader.tokenRead(Duration.ZERO)).isEqualTo(200);
            assertThat(reader.lastErrno()).isZero();
        }
    }

    @Test
    void timedReadReturnsTheTokenAsSoonAsItArrives() throws Exception {
        // The read's timeout is a day away, so only the token can end it: a read that waited for its timeout
        // (or for anything but the token) fails the 20 s hang guard below. No wall-clock threshold is involved.
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            CompletableFuture<Long> tid = new CompletableFuture<>();
            CompletableFuture<Integer> read = new CompletableFuture<>();
            Thread readerThread = new Thread(() -> {
                tid.complete(ThreadContext.current().threadId());
                read.complete(reader.tokenRead(Duration.ofDays(1)));
            }, "timed-reader");
            readerThread.start();
            NativeThreads.awaitBlockedOnPipe(tid.get(10, TimeUnit.SECONDS)); // asleep in the kernel, no token yet
            assertThat(read).as("the read waits while there is no token").isNotDone();

            assertThat(writer.tokenWrite(99)).isZero();
            assertThat(read.get(20, TimeUnit.SECONDS)).as("the read returns the token once it is written")
                    .isEqualTo(99);
            readerThread.join();
            assertThat(reader.lastErrno()).isZero();
        }
    }

    @Test
    void timedReadSeesEndOfStream() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            pipe.takeWriteEnd().close();
            assertThat(reader.tokenRead(Duration.ofSeconds(5))).isEqualTo(TS_EOS);
        }
    }

    @Test
    void badTimeoutsAreRefused() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            assertThatNullPointerException().isThrownBy(() -> reader.tokenRead(null)).withMessageContaining("timeout");
            assertThatIllegalArgumentException().isThrownBy(() -> reader.tokenRead(Duration.ofMillis(-1)))
                    .withMessageContaining("PT-0.001S").withMessageContaining("negative");
            assertThat(reader.lastErrno()).isZero();
        }
    }

    @Test
    void hugeTimeoutsDoNotOverflow() {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow();
             TokenPipeEnd reader = pipe.takeReadEnd();
             TokenPipeEnd writer = pipe.takeWriteEnd()) {
            writer.tokenWrite(5);
            assertThat(reader.tokenRead(Duration.ofSeconds(Long.MAX_VALUE))).isEqualTo(5);
        }
    }

    @Test
    void statusCodesMatchTheOriginalsAndNameThemselves() {
        assertThat(TS_ERR).isEqualTo(-1);
        assertThat(TS_EOS).isEqualTo(-2);
        assertThat(TS_TIMEOUT).isEqualTo(-3);
        assertThat(TokenPipeEndStatus.of(-1)).contains(TokenPipeEndStatus.TS_ERR);
        assertThat(TokenPipeEndStatus.of(-2)).contains(TokenPipeEndStatus.TS_EOS);
        assertThat(TokenPipeEndStatus.of(-3)).contains(TokenPipeEndStatus.TS_TIMEOUT);
        assertThat(TokenPipeEndStatus.of(0)).isEmpty();
        assertThat(TokenPipeEndStatus.of(255)).isEmpty();
        assertThat(TokenPipeEndStatus.of(-4)).isEmpty();
        for (TokenPipeEndStatus status : TokenPipeEndStatus.values()) {
            assertThat(TokenPipeEndStatus.of(status.code())).contains(status);
        }
    }

    @Test
    void toStringNamesDescriptorAndState() {
        TokenPipe pipe = TokenPipe.make().orElseThrow();
        assertThat(pipe).hasToString("TokenPipe[read=open, write=open]");
        TokenPipeEnd reader = pipe.takeReadEnd();
        assertThat(pipe).hasToString("TokenPipe[read=taken, write=open]");
        assertThat(reader.toString()).matches("TokenPipeEnd\\[fd=\\d+, open\\]");
        reader.close();
        assertThat(reader.toString()).matches("TokenPipeEnd\\[fd=\\d+, closed\\]");
        pipe.close();
        assertThat(pipe).hasToString("TokenPipe[read=taken, write=closed]");
    }

    @Test
    void aSuccessfulMakeReportsNoFailure() {
        TokenPipe.make().orElseThrow().close();
        assertThat(TokenPipe.lastMakeErrno()).isZero();
        assertThat(TokenPipe.lastMakeFailure()).isEmpty();
    }
}
