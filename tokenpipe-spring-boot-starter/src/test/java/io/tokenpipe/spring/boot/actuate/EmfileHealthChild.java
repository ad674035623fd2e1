package io.tokenpipe.spring.boot.actuate;

import java.util.ArrayList;
import java.util.List;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.spring.boot.TokenPipeCreationException;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import io.tokenpipe.testing.RawFds;

import org.springframework.boot.health.contributor.Health;

/**
 * Run by {@link TokenPipeHealthIndicatorTests} under a small {@code ulimit -n}: fills the descriptor table with
 * pipes, holds it full (soft limit 0) while health is checked, and prints what health says before, during and after.
 */
public final class EmfileHealthChild {

    private EmfileHealthChild() {
    }

    public static void main(String[] args) {
        long softLimit = RawFds.softFdLimit(); // binds setrlimit now, while a class file can still be opened
        TokenPipeFactory factory = new TokenPipeFactory(100_000);
        TokenPipeHealthIndicator indicator = new TokenPipeHealthIndicator(factory);
        System.out.println("before=" + indicator.health(true).getStatus());
        List<TokenPipe> pipes = new ArrayList<>();
        while (true) {
            try {
                pipes.add(factory.create("filler"));
            }
            catch (TokenPipeCreationException ex) {
                System.out.println("refused=" + ex.getMessage() + " errno=" + ex.getErrno());
                break;
            }
        }
        // The JVM's own threads open files for a moment at any time (the JIT compiler threads read cgroup limits):
        // one that held a descriptor at the last create leaves two free once it closes it, and the health check's
        // fresh pipe would be made. With the soft limit at 0 the OS refuses every new descriptor, whoever closes one.
        RawFds.setSoftFdLimit(0);
        Health during = indicator.health(true);
        System.out.println("during=" + during.getStatus() + " error=" + during.getDetails().get("error") + " failed="
                + during.getDetails().get("failed") + " lastFailure=" + during.getDetails().get("lastFailure"));
        System.out.println("still=" + indicator.health(true).getStatus());
        RawFds.setSoftFdLimit(softLimit);
        // three pipes: six descriptors, more than those threads (C1, C2, the VM thread) can hold for a moment at once
        for (int i = 0; i < 3; i++) {
            pipes.remove(0).close();
        }
        Health after = indicator.health(true);
        System.out.println("after=" + after.getStatus() + " failed=" + after.getDetails().get("failed"));
        factory.close();
    }

}
