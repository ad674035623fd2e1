package io.tokenpipe.spring.boot.actuate;

import java.util.Optional;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.util.Assert;

/**
 * {@link HealthIndicator} for token pipes, shown as component {@code tokenPipe}.
 *
 * <p>DOWN only when pipes cannot be made: the native layer is unavailable on this platform, or the factory's
 * most recent attempt was refused by the operating system and a fresh attempt made for this check is refused
 * too (so the indicator recovers by itself once descriptors are free again). UP otherwise, also when the
 * limit {@code tokenpipe.max-open-pipes} is reached: that is reported in the details, because a full limit is
 * the application's own bookkeeping and must not pull a healthy instance out of service.
 *
 * <p>Details: the factory's counts and limit, this process's open descriptors and its limit
 * ({@code RLIMIT_NOFILE}), and the platform. No paths, no environment.
 */
public class TokenPipeHealthIndicator extends AbstractHealthIndicator {

    private final TokenPipeFactory factory;

    /**
     * Creates the indicator; loads nothing native (the first health check does).
     * @param factory the factory whose pipes are reported
     */
    public TokenPipeHealthIndicator(TokenPipeFactory factory) {
        super("Token pipe health check failed");
        Assert.notNull(factory, "'factory' must not be null");
        this.factory = factory;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        TokenPipeFactory.Snapshot snapshot = this.factory.snapshot();
        builder.withDetail("openPipes", snapshot.openPipes())
            .withDetail("openEnds", snapshot.openEnds())
            .withDetail("created", snapshot.created())
            .withDetail("closed", snapshot.closed())
            .withDetail("failed", snapshot.failed())
            .withDetail("rejected", snapshot.rejected())
            .withDetail("maxOpenPipes", snapshot.maxOpenPipes())
            .withDetail("limitReached", snapshot.limitReached());
        if (snapshot.lastFailure() != null) {
            builder.withDetail("lastFailure", snapshot.lastFailure());
        }
        long openFds = OpenFileDescriptors.count();
        if (openFds >= 0) {
            builder.withDetail("openFds", openFds);
        }
        NativeIo io = NativeIo.get();
        if (io == null) {
            builder.down().withDetail("error", "token pipes are not available: " + NativeIo.unavailableReason());
            return;
        }
        long fdLimit = io.openFileLimit();
        if (fdLimit >= 0) {
            builder.withDetail("openFdLimit", fdLimit);
        }
        builder.withDetail("platform", io.platform());
        Optional<String> refusal = snapshot.failing() ? probe() : Optional.empty();
        if (refusal.isPresent()) {
            builder.down().withDetail("error", refusal.get());
        }
        else {
            builder.up();
        }
    }

    /** Makes and closes one pipe: empty when that works, else why it was refused. */
    private static Optional<String> probe() {
        Optional<TokenPipe> pipe = TokenPipe.make();
        if (pipe.isPresent()) {
            pipe.get().close();
            return Optional.empty();
        }
        return Optional.of(TokenPipe.lastMakeFailure().orElse("pipe() failed"));
    }

}
