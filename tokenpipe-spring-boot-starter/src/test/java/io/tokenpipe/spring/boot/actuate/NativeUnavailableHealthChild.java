package io.tokenpipe.spring.boot.actuate;

import io.tokenpipe.spring.boot.TokenPipeCreationException;
import io.tokenpipe.spring.boot.TokenPipeFactory;

import org.springframework.boot.health.contributor.Health;

/**
 * Run by {@link TokenPipeHealthIndicatorTests} in a JVM where JNA cannot load its native library: prints what
 * health says before the application tried to make a pipe, what the factory's {@code create()} throws, and
 * what health says after that (twice, to see the WARN logged once).
 */
public final class NativeUnavailableHealthChild {

    private NativeUnavailableHealthChild() {
    }

    public static void main(String[] args) {
        try (TokenPipeFactory factory = new TokenPipeFactory(16)) {
            TokenPipeHealthIndicator indicator = new TokenPipeHealthIndicator(factory);
            Health health = indicator.health(true);
            System.out.println("status=" + health.getStatus() + " keys=" + health.getDetails().keySet());
            System.out.println("available=" + health.getDetails().get("available") + " reason="
                    + health.getDetails().get("reason"));
            try {
                factory.create("worker");
                System.out.println("created");
            }
            catch (TokenPipeCreationException ex) {
                System.out.println("refused=" + ex.getMessage());
            }
            Health after = indicator.health(true);
            System.out.println("after=" + after.getStatus() + " error=" + after.getDetails().get("error"));
            System.out.println("again=" + indicator.health(true).getStatus());
        }
    }

}
