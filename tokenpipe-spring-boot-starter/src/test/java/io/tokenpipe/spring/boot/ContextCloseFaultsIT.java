package io.tokenpipe.spring.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.tokenpipe.spring.boot.autoconfigure.TokenPipeAutoConfiguration;
import io.tokenpipe.ChildProcess;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.internal.Errno;
import io.tokenpipe.internal.ThreadContext;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.NativeThreads;
import io.tokenpipe.testing.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault suite: the context closes while application threads wait in tokenRead() on factory pipes and while a
 * worker child holds a pipe end. Close must finish within spring.lifecycle.timeout-per-shutdown-phase, wake
 * every waiting reader (TS_ERR, EBADF), close every end and reap the child.
 */
@ExtendWith(FdCount.class)
@Timeout(120)
class ContextCloseFaultsIT {

    private static final int READERS = 4;

    private static final int ROUNDS = 10;

    @Test
    void closingTheContextWakesBlockedReadersClosesEveryEndAndReapsTheWorker() throws Exception {
        int before = FdCount.openFdCount();
        long slowest = 0;
        for (int round = 0; round < ROUNDS; round++) {
            SpringApplication application = new SpringApplication(BusyApplication.class);
            application.setWebApplicationType(WebApplicationType.NONE);
            ConfigurableApplicationContext context = application.run("--spring.lifecycle.timeout-per-shutdown-phase=10s",
                    "--spring.main.banner-mode=off", "--logging.level.root=WARN");
            BusyApplication.Work work = context.getBean(BusyApplication.Work.class);
            work.awaitReadersBlocked();
            long start = System.nanoTime();
            context.close();
            long tookNanos = System.nanoTime() - start;
            slowest = Math.max(slowest, tookNanos);
            assertThat(Duration.ofNanos(tookNanos)).as("context close, round %d", round)
                .isLessThan(Duration.ofSeconds(10));
            for (CompletableFuture<int[]> reader : work.readers) {
                assertThat(reader.get(5, TimeUnit.SECONDS)).containsExactly(TokenPipeEnd.TS_ERR, Errno.EBADF);
            }
            assertThat(work.worker.exitValue()).as("worker reaped").isPresent();
            assertThat(Processes.zombieChildren()).isEmpty();
            FdCount.assertBackTo(before, "context close, round " + round);
        }
        System.out.println("FIGURE | Spring context closed while " + READERS + " readers wait and a worker child runs | "
                + ROUNDS + " contexts | 0 hangs (slowest close " + TimeUnit.NANOSECONDS.toMillis(slowest)
                + " ms), 0 fds, worker reaped every time");
    }

    @Configuration(proxyBeanMethods = false)
    @ImportAutoConfiguration(TokenPipeAutoConfiguration.class)
    static class BusyApplication {

        @Bean
        Work work(TokenPipeFactory factory) throws Exception {
            return new Work(factory);
        }

        /** Application threads waiting on factory pipes, and a worker child holding one end. */
        static final class Work implements DisposableBean {

            final List<CompletableFuture<int[]>> readers = new ArrayList<>();

            final List<Long> readerTids = new ArrayList<>();

            final ChildProcess worker;

            Work(TokenPipeFactory factory) throws Exception {
                for (int i = 0; i < READERS; i++) {
                    TokenPipe pipe = factory.create("waiting-" + i);
                    TokenPipeEnd reader = pipe.takeReadEnd();
                    CompletableFuture<Long> tid = new CompletableFuture<>();
                    CompletableFuture<int[]> result = new CompletableFuture<>();
                    Thread thread = new Thread(() -> {
                        tid.complete(ThreadContext.current().threadId());
                        result.complete(new int[] { reader.tokenRead(), reader.lastErrno() });
                    }, "reader-" + i);
                    thread.start();
                    this.readerTids.add(tid.get(5, TimeUnit.SECONDS));
                    this.readers.add(result);
                }
                TokenPipe workerPipe = factory.create("worker");
                this.worker = ChildProcess.builder("/bin/sh", "-c", "exec sleep 600")
                    .passEnd(workerPipe.takeWriteEnd(), 3)
                    .start();
            }

            void awaitReadersBlocked() throws InterruptedException {
                for (long tid : this.readerTids) {
                    NativeThreads.awaitBlockedOnPipe(tid);
                }
            }

            @Override
            public void destroy() {
                this.worker.close(); // SIGTERM, reaped before the context goes on closing
            }

        }

    }

}
