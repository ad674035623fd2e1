package io.tokenpipe.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.tokenpipe.ChildProcess;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.QuietOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * {@link TokenPipeFactory} on real pipes: tracking, the limit, close at shutdown, memory, threads.
 */
@ExtendWith({ FdCount.class, QuietOutput.class, OutputCaptureExtension.class })
@Timeout(60)
class TokenPipeFactoryTests {

    @Test
    void createdPipeCarriesTokens() {
        try (TokenPipeFactory factory = new TokenPipeFactory(8)) {
            TokenPipe pipe = factory.create("carrier");
            try (TokenPipeEnd reader = pipe.takeReadEnd(); TokenPipeEnd writer = pipe.takeWriteEnd()) {
                assertThat(writer.tokenWrite(42)).isZero();
                assertThat(reader.tokenRead()).isEqualTo(42);
            }
        }
    }

    @Test
    void createWithoutNameNumbersThePipes() {
        try (TokenPipeFactory factory = new TokenPipeFactory(8)) {
            factory.create();
            factory.create();
            assertThat(factory.openPipes()).extracting(TokenPipeFactory.OpenPipe::name)
                .containsExactly("tokenpipe-1", "tokenpipe-2");
        }
    }

    @Test
    void takenEndsStayTrackedUntilClosed() {
        try (TokenPipeFactory factory = new TokenPipeFactory(8)) {
            TokenPipe pipe = factory.create("worker");
            TokenPipeEnd reader = pipe.takeReadEnd();
            TokenPipeEnd writer = pipe.takeWriteEnd();
            assertThat(factory.snapshot()).satisfies((s) -> {
                assertThat(s.openPipes()).isEqualTo(1);
                assertThat(s.openEnds()).isEqualTo(2);
            });
            reader.close();
            assertThat(factory.openPipes()).singleElement().satisfies((p) -> {
                assertThat(p.name()).isEqualTo("worker");
                assertThat(p.readEndOpen()).isFalse();
                assertThat(p.writeEndOpen()).isTrue();
            });
            writer.close();
            TokenPipeFactory.Snapshot snapshot = factory.snapshot();
            assertThat(snapshot.openPipes()).isZero();
            assertThat(snapshot.openEnds()).isZero();
            assertThat(snapshot.created()).isEqualTo(1);
            assertThat(snapshot.closed()).isEqualTo(1);
            assertThat(factory.openPipes()).isEmpty();
        }
    }

    @Test
    @Timeout(30)
    void endHandedToAChildIsNoLongerTracked(CapturedOutput output) throws Exception {
        TokenPipeFactory factory = new TokenPipeFactory(8);
        TokenPipe pipe = factory.create("to-child");
        TokenPipeEnd reader = pipe.takeReadEnd();
        try (ChildProcess child = ChildProcess.builder("sh", "-c", "printf '\\001' >&3")
            .passEnd(pipe.takeWriteEnd(), 3)
            .start()) {
            assertThat(factory.openPipes()).singleElement().satisfies((p) -> {
                assertThat(p.readEndOpen()).isTrue();
                assertThat(p.writeEndOpen()).as("handed to the child").isFalse();
            });
            assertThat(reader.tokenRead(Duration.ofSeconds(20))).isEqualTo(1);
            assertThat(child.waitFor()).isZero();
        }
        reader.close();
        assertThat(factory.snapshot().openPipes()).isZero();
        factory.close();
        assertThat(output).doesNotContain("left open");
    }

    @Test
    void pipeClosedWithoutTakingItsEndsIsNoLongerOpen() {
        try (TokenPipeFactory factory = new TokenPipeFactory(8)) {
            factory.create("short-lived").close();
            assertThat(factory.snapshot().openPipes()).isZero();
            assertThat(factory.snapshot().closed()).isEqualTo(1);
        }
    }

    @Test
    void closeClosesEveryOpenEndAndWarnsOnceWithTheirNames(CapturedOutput output) {
        TokenPipeFactory factory = new TokenPipeFactory(8);
        TokenPipe untaken = factory.create("left-open");
        TokenPipe taken = factory.create("taken");
        TokenPipeEnd reader = taken.takeReadEnd();
        TokenPipeEnd writer = taken.takeWriteEnd();
        factory.create("done").close();
        factory.close();
        assertThat(reader.isOpen()).isFalse();
        assertThat(writer.isOpen()).isFalse();
        assertThat(reader.tokenRead()).isEqualTo(TokenPipeEnd.TS_ERR);
        assertThat(reader.lastErrno()).isEqualTo(9); // EBADF
        TokenPipeEnd untakenReader = untaken.takeReadEnd();
        assertThat(untakenReader.isOpen()).isFalse();
        factory.close();
        assertThat(output).containsOnlyOnce("Closed 2 token pipe(s) the application left open: left-open, taken");
        assertThat(output).doesNotContain("done");
        assertThat(factory.isClosed()).isTrue();
        assertThat(factory.snapshot().openPipes()).isZero();
        assertThat(factory.snapshot().closed()).isEqualTo(3);
    }

    @Test
    void shutdownWarningCountsRepeatedNamesAndListsAtMostTwenty(CapturedOutput output) {
        TokenPipeFactory factory = new TokenPipeFactory(100);
        factory.create("worker");
        factory.create("worker");
        for (int i = 1; i <= 21; i++) {
            factory.create("job-" + i);
        }
        factory.close();
        assertThat(output).contains("Closed 23 token pipe(s) the application left open: worker (2 pipes), job-1, job-2,")
            .contains("job-19 and 2 more names")
            .doesNotContain("job-20");
    }

    @Test
    void closeWithNothingLeftOpenDoesNotWarn(CapturedOutput output) {
        TokenPipeFactory factory = new TokenPipeFactory(8);
        factory.create("tidy").close();
        factory.close();
        assertThat(output).doesNotContain("left open");
    }

    @Test
    @Timeout(20)
    void closeWakesAReaderBlockedOnATakenEnd() throws Exception {
        TokenPipeFactory factory = new TokenPipeFactory(8);
        TokenPipe pipe = factory.create("blocked");
        TokenPipeEnd reader = pipe.takeReadEnd();
        AtomicInteger result = new AtomicInteger(Integer.MIN_VALUE);
        CountDownLatch started = new CountDownLatch(1);
        Thread thread = new Thread(() -> {
            started.countDown();
            result.set(reader.tokenRead());
        });
        thread.start();
        started.await();
        Thread.sleep(50); // let it block in read(2); if it has not yet, it sees the closed end instead
        factory.close();
        thread.join();
        assertThat(result.get()).isEqualTo(TokenPipeEnd.TS_ERR);
    }

    @Test
    void createAfterCloseIsRefused() {
        TokenPipeFactory factory = new TokenPipeFactory(8);
        factory.close();
        assertThatIllegalStateException().isThrownBy(() -> factory.create("late"))
            .withMessage("Cannot create token pipe 'late': the TokenPipeFactory is closed"
                    + " (the application context is shutting down)");
    }

    @Test
    void limitRefusesWithThePropertyAndItsValue() {
        try (TokenPipeFactory factory = new TokenPipeFactory(2)) {
            factory.create("one");
            TokenPipe two = factory.create("two");
            assertThatExceptionOfType(TokenPipeCreationException.class).isThrownBy(() -> factory.create("three"))
                .withMessage("Cannot create token pipe 'three': 2 token pipes are open, the limit set by"
                        + " tokenpipe.max-open-pipes=2; close pipes that are no longer needed or raise the limit")
                .satisfies((ex) -> {
                    assertThat(ex.isLimitReached()).isTrue();
                    assertThat(ex.getErrno()).isZero();
                });
            TokenPipeFactory.Snapshot full = factory.snapshot();
            assertThat(full.limitReached()).isTrue();
            assertThat(full.rejected()).isEqualTo(1);
            assertThat(full.failed()).isZero();
            assertThat(full.failing()).isFalse();
            two.close();
            assertThat(factory.create("three")).isNotNull();
            assertThat(factory.snapshot().created()).isEqualTo(3);
        }
    }

    @Test
    void pipesTheApplicationClosedAreForgotten() {
        try (TokenPipeFactory factory = new TokenPipeFactory(1_000_000)) {
            for (int i = 0; i < 5_000; i++) {
                factory.create("churn").close();
            }
            assertThat(factory.trackedPipes()).isLessThanOrEqualTo(64);
            TokenPipe kept = factory.create("kept");
            assertThat(factory.snapshot().openPipes()).isEqualTo(1);
            assertThat(factory.trackedPipes()).isEqualTo(1);
            assertThat(factory.snapshot().created()).isEqualTo(5_001);
            kept.close();
        }
    }

    @Test
    void constructorRefusesALimitBelowOne() {
        assertThatIllegalArgumentException().isThrownBy(() -> new TokenPipeFactory(0))
            .withMessage("maxOpenPipes 0 must be 1 or more");
    }

    @Test
    void concurrentCreatesAndCloseLeaveNothingOpen() throws Exception {
        TokenPipeFactory factory = new TokenPipeFactory(10_000);
        int threads = 4;
        CountDownLatch running = new CountDownLatch(threads);
        ConcurrentLinkedQueue<TokenPipeEnd> kept = new ConcurrentLinkedQueue<>();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        AtomicInteger refusedAfterClose = new AtomicInteger();
        AtomicInteger keptCount = new AtomicInteger();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                running.countDown();
                for (int i = 0;; i++) {
                    try {
                        TokenPipe pipe = factory.create("worker");
                        if (i % 2 == 0) {
                            pipe.close();
                        }
                        else {
                            // One descriptor per kept pipe, and at most about 1000 kept: fast threads must not
                            // reach RLIMIT_NOFILE (EMFILE) or the limit of open pipes before close() comes.
                            kept.add(pipe.takeReadEnd());
                            pipe.close();
                            if (keptCount.incrementAndGet() > 1_000) {
                                TokenPipeEnd oldest = kept.poll();
                                if (oldest != null) {
                                    oldest.close();
                                    keptCount.decrementAndGet();
                                }
                            }
                        }
                    }
                    catch (IllegalStateException ex) {
                        if (!factory.isClosed() || ex instanceof TokenPipeCreationException) {
                            unexpected.set(ex);
                        }
                        refusedAfterClose.incrementAndGet();
                        return;
                    }
                    catch (Throwable ex) {
                        unexpected.set(ex);
                        return;
                    }
                }
            });
            workers.add(worker);
            worker.start();
        }
        running.await();
        Thread.sleep(100);
        factory.close();
        for (Thread worker : workers) {
            worker.join(Duration.ofSeconds(30).toMillis());
        }
        assertThat(unexpected.get()).isNull();
        assertThat(refusedAfterClose.get()).isEqualTo(threads);
        assertThat(kept).isNotEmpty().allSatisfy((end) -> assertThat(end.isOpen()).isFalse());
        TokenPipeFactory.Snapshot snapshot = factory.snapshot();
        assertThat(snapshot.openPipes()).isZero();
        assertThat(snapshot.closed()).isEqualTo(snapshot.created());
    }

}
