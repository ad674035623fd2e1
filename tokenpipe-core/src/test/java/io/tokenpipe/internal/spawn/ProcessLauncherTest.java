package io.tokenpipe.internal.spawn;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.Processes;
import io.tokenpipe.testing.RawFds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The ways that are used only where the preferred one is missing: closing from a listing, a thread per child. */
@ExtendWith(FdCount.class)
@Timeout(60)
class ProcessLauncherTest {
    private static final long PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(30);

    @TempDir
    Path temp;

    /** This process's environment, unchanged. */
    private static Map<String, String> environment() {
        return Map.of();
    }

    @Test
    void theListingFallbackClosesEveryDescriptorThatIsNotPassed() throws Exception {
        int[] leaky = new int[2];
        int[] passed = new int[2];
        assertThat(RawFds.pipe(leaky)).isZero(); // neither pipe is close-on-exec
        assertThat(RawFds.pipe(passed)).isZero();
        Path out = temp.resolve("fds.txt");
        try {
            String script = "import os\n"
                    + "for n in sorted(int(n) for n in os.listdir('/proc/self/fd')):\n"
                    + "    print(n, 'open' if os.path.exists('/proc/self/fd/%d' % n) else 'closed')\n";
            int pid = new ProcessLauncher(List.of("python3", "-c", script))
                    .environment(environment())
                    .redirects(out, null)
                    .pass(new int[] {passed[1], passed[1]}, new int[] {3, 6})
                    .closeFromFallback(true)
                    .spawn();
            ChildWatch watch = ChildWatch.watch(pid, false);
            assertThat(watch.awaitExit(PATIENCE_NANOS)).isTrue();
            assertThat(watch.exitCode()).as(Files.readString(out)).isZero();
            TreeSet<Integer> open = new TreeSet<>();
            for (String line : Files.readAllLines(out)) {
                if (line.endsWith(" open")) {
                    open.add(Integer.parseInt(line.split(" ")[0]));
                }
            }
            assertThat(open).as(Files.readString(out)).containsExactly(0, 1, 2, 3, 6);
        } finally {
            for (int fd : new int[] {leaky[0], leaky[1], passed[0], passed[1]}) {
                RawFds.close(fd);
            }
        }
    }

    @Test
    void theThreadPerChildWatcherReapsAndNeverSignalsAReapedChild() throws Exception {
        int pid = new ProcessLauncher(List.of("sleep", "30")).environment(environment()).spawn();
        ChildWatch watch = ChildWatch.watch(pid, false);
        Thread watcher = thread("tokenpipe-reaper-" + pid);
        assertThat(watcher).as("its watcher thread").isNotNull();
        assertThat(watch.awaitExit(TimeUnit.MILLISECONDS.toNanos(50))).isFalse();
        assertThat(watch.exitCode()).isEqualTo(ChildWatch.RUNNING);
        assertThat(watch.signal(15)).isTrue();
        assertThat(watch.awaitExit()).isEqualTo(143);
        assertThat(watch.signal(9)).as("after the reap the pid may be someone else's").isFalse();
        assertThat(Processes.stat(pid)).as("reaped").isNull();
        watcher.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(watcher.isAlive()).isFalse();
    }

    @Test
    void theThreadPerChildWatcherGivesEveryExitCode() throws Exception {
        List<ChildWatch> watches = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int pid = new ProcessLauncher(List.of("sh", "-c", "exit " + i)).environment(environment()).spawn();
            watches.add(ChildWatch.watch(pid, false));
        }
        for (int i = 0; i < watches.size(); i++) {
            assertThat(watches.get(i).awaitExit()).isEqualTo(i);
            assertThat(Processes.stat(watches.get(i).pid())).isNull();
        }
    }

    @Test
    void thePidfdReaperEndsWithItsLastChild() throws Exception {
        assertThat(LinuxPidfd.AVAILABLE).as("pidfd_open works on this kernel (6.x)").isTrue();
        int pid = new ProcessLauncher(List.of("sleep", "0.1")).environment(environment()).spawn();
        ChildWatch watch = ChildWatch.watch(pid, true);
        assertThat(watch.pidfd()).isNotNegative();
        assertThat(thread("tokenpipe-reaper")).isNotNull();
        assertThat(watch.awaitExit()).isZero();
        assertThat(watch.pidfd()).isEqualTo(-1);
        long deadline = System.nanoTime() + PATIENCE_NANOS;
        while (thread("tokenpipe-reaper") != null && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(thread("tokenpipe-reaper")).isNull(); // and its eventfd is closed: FdCount checks that
    }

    @Test
    void killAndReapLeavesNothingBehind() throws Exception {
        int pid = new ProcessLauncher(List.of("sleep", "30")).environment(environment()).spawn();
        assertThat(Processes.isRunning(pid)).isTrue();
        ChildWatch.killAndReap(pid);
        assertThat(Processes.stat(pid)).isNull();
    }

    @Test
    void waitStatusesAreDecodedTheWayShellsDo() {
        assertThat(ChildWatch.decode(0)).isZero();
        assertThat(ChildWatch.decode(3 << 8)).isEqualTo(3);
        assertThat(ChildWatch.decode(255 << 8)).isEqualTo(255);
        assertThat(ChildWatch.decode(15)).isEqualTo(143);
        assertThat(ChildWatch.decode(9)).isEqualTo(137);
        assertThat(ChildWatch.decode(0x80 | 11)).as("SIGSEGV with a core dump").isEqualTo(139);
    }

    private static Thread thread(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElse(null);
    }
}
