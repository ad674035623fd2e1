package io.tokenpipe.spring.boot.actuate;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.management.UnixOperatingSystemMXBean;
import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipePlatform;
import io.tokenpipe.spring.boot.TokenPipeFactory;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.util.Assert;

/**
 * {@link HealthIndicator} for token pipes, shown as component {@code tokenPipe}.
 *
 * <ul>
 * <li>DOWN only when the application needs pipes and cannot get them: its factory's most recent attempt to make a
 * pipe was refused (by the operating system, for example EMFILE, or because the native layer is not available),
 * and a fresh attempt made for this check is refused too. So it comes back UP by itself once descriptors are
 * free again. The first check that finds it DOWN logs the reason once at WARN.</li>
 * <li>UNKNOWN while the native layer is not available here (an unsupported platform, JNA unable to load its
 * library, native access denied) and the application has not tried to make a pipe: an application that never
 * uses pipes must not be taken out of service for it. Details {@code available: false} and {@code reason}.</li>
 * <li>UP otherwise, also when the limit {@code tokenpipe.max-open-pipes} is reached: that is reported in the
 * details, because a full limit is the application's own bookkeeping and must not pull a healthy instance out
 * of service.</li>
 * </ul>
 *
 * <p>Details: the factory's counts and limit, whether token pipes are available here (and the platform or the
 * reason), and this process's open descriptors and their limit ({@code RLIMIT_NOFILE}) as the JVM reports them.
 * No paths, no environment.
 */
public class TokenPipeHealthIndicator extends AbstractHealthIndicator {

    private static final Log logger = LogFactory.getLog(TokenPipeHealthIndicator.class);

    private final TokenPipeFactory factory;

    /** Whether the last check was DOWN, so that the WARN is logged once per outage. */
    private final AtomicBoolean down = new AtomicBoolean();

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
        addFileDescriptors(builder);
        boolean available = TokenPipePlatform.isAvailable();
        builder.withDetail("available", available);
        if (available) {
            builder.withDetail("platform", TokenPipePlatform.description());
        }
        else {
            builder.withDetail("reason", TokenPipePlatform.unavailableReason().orElse("unknown"));
        }
        Optional<String> refusal = snapshot.failing() ? probe() : Optional.empty();
        if (refusal.isPresent()) {
            builder.down().withDetail("error", refusal.get());
            if (this.down.compareAndSet(false, true)) {
                logger.warn("Token pipes cannot be made: " + refusal.get() + " (health component tokenPipe is DOWN"
                        + " until a fresh pipe can be made)");
            }
            return;
        }
        this.down.set(false);
        if (available) {
            builder.up();
        }
        else {
            builder.unknown();
        }
    }

    /** openFds and openFdLimit, where the JVM knows them (Unix; not on Windows). */
    private static void addFileDescriptors(Health.Builder builder) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix) {
            try {
                builder.withDetail("openFds", unix.getOpenFileDescriptorCount());
            }
            catch (InternalError ex) {
                // The JDK counts by opening /proc/self/fd, which fails with EMFILE just when the count matters:
                // "InternalError: errno: 24 error: Unable to open directory /proc/self/fd". Leave the count out.
            }
            builder.withDetail("openFdLimit", unix.getMaxFileDescriptorCount());
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
