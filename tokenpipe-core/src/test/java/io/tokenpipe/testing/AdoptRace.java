package io.tokenpipe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.TokenPipeEnd;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Threads adopting one inherited pipe descriptor at the same moment, round after round: one owner each time. */
public final class AdoptRace {
    private AdoptRace() {
    }

    /**
     * Runs {@code rounds} races of {@code threads} adopters on a fresh pipe each (not close-on-exec, as an inherited
     * one), asserting exactly one owner per round and that its close closes the descriptor.
     *
     * @return how many adopts were refused in all
     */
    public static long run(int rounds, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long refusals = 0;
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            for (int round = 0; round < rounds; round++) {
                int[] fds = new int[2];
                assertThat(RawFds.pipe(fds)).isZero();
                List<Future<TokenPipeEnd>> adopters = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    adopters.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        try {
                            return TokenPipeEnd.adopt(fds[0]);
                        } catch (IllegalArgumentException refused) {
                            assertThat(refused).hasMessageContaining("fd " + fds[0]);
                            return null;
                        }
                    }));
                }
                List<TokenPipeEnd> owners = new ArrayList<>();
                for (Future<TokenPipeEnd> adopter : adopters) {
                    TokenPipeEnd end = adopter.get(20, TimeUnit.SECONDS);
                    if (end != null) {
                        owners.add(end);
                    } else {
                        refusals++;
                    }
                }
                assertThat(owners).as("owners of fd %d in round %d", fds[0], round).hasSize(1);
                owners.get(0).close();
                assertThat(RawFds.isOpen(fds[0])).as("closed once, by its one owner").isFalse();
                RawFds.close(fds[1]);
            }
        } finally {
            pool.shutdownNow();
        }
        return refusals;
    }
}
