package io.tokenpipe;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An interrupt reaches a virtual thread blocked in a token call, in this JVM: the build runs it on Java 25 with
 * FFM and with JNA forced (the Java 17 run has no virtual threads; {@link VirtualThreadsTest} covers timeouts and
 * close there in a child JVM). A virtual thread in a native call holds its carrier, so the wake-up signal must
 * find the carrier's native thread.
 */
@ExtendWith(FdCount.class)
@Timeout(60)
class VirtualThreadInterruptsTest {
    private static final int EINTR = 4;
    private static final int PIPE_CAPACITY = 65536;
    private static Method startVirtualThread;

    @BeforeAll
    static void needsVirtualThreads() {
        try {
            startVirtualThread = Thread.class.getMethod("startVirtualThread", Runnable.class);
        } catch (NoSuchMethodException beforeJava21) {
            Assumptions.abort("virtual threads need Java 21; this is " + Runtime.version().feature());
        }
    }

    @Test
    void anInterruptEndsAVirtualThreadsBlockedReadWithEintrAndLeavesItsStatusSet() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            assertInterruptEnds(reader, TokenPipeEnd::tokenRead);
        }
    }

    @Test
    void anInterruptEndsAVirtualThreadsBlockedWriteOnAFullPipeWithEintr() throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd();
                TokenPipeEnd writer = pipe.takeWriteEnd()) {
            for (int i = 0; i < PIPE_CAPACITY; i++) {
                assertThat(writer.tokenWrite(i & 0xFF)).isZero();
            }
            assertInterruptEnds(writer, end -> end.tokenWrite(7));
        }
    }

    private static void assertInterruptEnds(TokenPipeEnd end, ToIntFunction<TokenPipeEnd> call) throws Exception {
        AtomicInteger status = new AtomicInteger(Integer.MIN_VALUE);
        AtomicInteger errno = new AtomicInteger();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Thread thread = (Thread) startVirtualThread.invoke(null, (Runnable) () -> {
            status.set(call.applyAsInt(end));
            errno.set(end.lastErrno());
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        Thread.sleep(300); // long enough to be blocked in read(2) or write(2)
        assertThat(status.get()).as("still blocked before the interrupt").isEqualTo(Integer.MIN_VALUE);
        thread.interrupt();
        thread.join(10_000);
        assertThat(thread.isAlive()).as("virtual thread still blocked 10 s after its interrupt").isFalse();
        assertThat(status.get()).isEqualTo(TokenPipeEnd.TS_ERR);
        assertThat(errno.get()).isEqualTo(EINTR);
        assertThat(stillInterrupted.get()).as("interrupt status after the call").isTrue();
        assertThat(end.isOpen()).isTrue();
    }
}
