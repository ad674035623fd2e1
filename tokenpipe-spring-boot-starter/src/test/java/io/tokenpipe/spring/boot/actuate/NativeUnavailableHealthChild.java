package io.tokenpipe.spring.boot.actuate;

import io.tokenpipe.spring.boot.TokenPipeCreationException;
import io.tokenpipe.spring.boot.TokenPipeFactory;

import org.springframework.boot.health.contributor.Health;

/**
 * Run by {@link TokenPipeHealthIndicatorTests} in a JVM where JNA cannot load its native library: prints what
 * health says and what the factory's {@code create()} throws.
 */
public final class NativeUnavailableHealthChild {

    private NativeUnavailableHealthChild() {
    }

    public static void main(String[] args) {
        try (TokenPipeFactory factory = new TokenPipeFactory(16)) {
            Health health = new TokenPipeHealthIndicator(factory).health(true);
            System.out.println("status=" + health.getStatus() + " keys=" + health.getDetails().keySet());
            System.out.println("error=" + health.getDetails().get("error"));
            try {
                factory.create("worker");
                System.out.println("created");
            }
            catch (TokenPipeCreationException ex) {
                System.out.println("refused=" + ex.getMessage());
            }
            System.out.println("again=" + new TokenPipeHealthIndicator(factory).health(true).getStatus());
        }
    }

}
