package io.tokenpipe.faults;

import static io.tokenpipe.TokenPipeEnd.TS_EOS;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.ChildProcess;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.Processes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 100,000 pipes made and their write ends handed to a child that writes one token and exits: every token
 * arrives, then end of stream; afterwards the fd count is where it started and no child is left, zombie or not.
 */
@ExtendWith(FdCount.class)
@Timeout(420)
class ChildHandOffLoadIT {
    private static final int CYCLES = Integer.getInteger("tokenpipe.handoff.cycles", 100_000);
    private static final int THREADS = 2;

    @Test
    void handOffCyclesLeakNothingAndLeaveNoChild() throws Exception {
        int before = FdCount.openFdCount();
        AtomicInteger next = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                workers.add(pool.submit(() -> {
                    int done = 0;
                    for (int cycle = next.getAndIncrement(); cycle < CYCLES; cycle = next.getAndIncrement()) {
                        handOffOnce(cycle & 0xFF);
                        done++;
                    }
                    return done;
                }));
            }
            int total = 0;
            for (Future<Integer> worker : workers) {
                total += worker.get();
            }
            assertThat(total).isEqualTo(CYCLES);
        } finally {
            pool.shutdownNow();
        }
        FdCount.assertBackTo(before, CYCLES + " hand-off cycles");
        assertThat(Processes.zombieChildren()).as("zombie children").isEmpty();
        assertThat(ProcessHandle.current().children()).as("children left").isEmpty();
        Figures.report("make + hand the write end to a child (sh printf) + read + reap", CYCLES + " cycles",
                "0 fds, 0 children left, 0 tokens lost");
    }

    private static void handOffOnce(int token) throws Exception {
        try (TokenPipe pipe = TokenPipe.make().orElseThrow(); TokenPipeEnd reader = pipe.takeReadEnd()) {
            String octal = String.format("\\%03o", token);
            try (ChildProcess child = ChildProcess.builder("/bin/sh", "-c", "printf '" + octal + "' >&3")
                    .passEnd(pipe.takeWriteEnd(), 3).start()) {
                assertThat(reader.tokenRead()).isEqualTo(token);
                assertThat(reader.tokenRead()).isEqualTo(TS_EOS);
                assertThat(child.waitFor()).isZero();
            }
        }
    }
}
