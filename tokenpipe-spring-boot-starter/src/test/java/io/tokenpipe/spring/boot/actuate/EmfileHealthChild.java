package io.tokenpipe.spring.boot.actuate;

import java.util.ArrayList;
import java.util.List;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.spring.boot.TokenPipeCreationException;
import io.tokenpipe.spring.boot.TokenPipeFactory;

import org.springframework.boot.health.contributor.Health;

/**
 * Run by {@link TokenPipeHealthIndicatorTests} under a small {@code ulimit -n}: fills the descriptor table with
 * pipes and prints what health says before, during and after.
 */
public final class EmfileHealthChild {

    private EmfileHealthChild() {
    }

    public static void main(String[] args) {
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
        Health during = indicator.health(true);
        System.out.println("during=" + during.getStatus() + " error=" + during.getDetails().get("error") + " failed="
                + during.getDetails().get("failed") + " lastFailure=" + during.getDetails().get("lastFailure"));
        System.out.println("still=" + indicator.health(true).getStatus());
        pipes.remove(0).close();
        pipes.remove(0).close();
        Health after = indicator.health(true);
        System.out.println("after=" + after.getStatus() + " failed=" + after.getDetails().get("failed"));
        factory.close();
    }

}
