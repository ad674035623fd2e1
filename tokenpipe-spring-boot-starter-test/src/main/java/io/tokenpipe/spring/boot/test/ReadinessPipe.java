package io.tokenpipe.spring.boot.test;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.TokenPipePlatform;
import org.opentest4j.AssertionFailedError;

/**
 * The pipe of {@link ReadinessPipeExtension}: this test plays the process that started the application. The
 * application in this JVM adopts the write end as its readiness descriptor ({@code tokenpipe.notify.fd}, which the
 * extension sets) and writes one token into it; this side reads it.
 *
 * <p>Thread safety: every method may be called from any thread, also while the application starts on another.
 */
public final class ReadinessPipe {

    /** The property the extension sets to {@link #fd()}. */
    public static final String FD_PROPERTY = "tokenpipe.notify.fd";

    private final TokenPipeEnd reader;

    private final int fd;

    ReadinessPipe(TokenPipeEnd reader, int fd) {
        this.reader = reader;
        this.fd = fd;
    }

    /**
     * The write end's descriptor number, what {@code tokenpipe.notify.fd} is set to.
     * @return the number, 3 or above
     */
    public int fd() {
        return this.fd;
    }

    /**
     * The command-line argument that points an application at this pipe, for a test that runs it itself with
     * {@code SpringApplication.run(MyApplication.class, pipe.notifyArgument())}. Not needed where the extension's
     * system property reaches the application (it does unless the application ignores system properties).
     * @return {@code --tokenpipe.notify.fd=N}
     */
    public String notifyArgument() {
        return "--" + FD_PROPERTY + "=" + this.fd;
    }

    /**
     * Waits for the token the application writes: {@code tokenpipe.notify.ready-token} (1 unless set) once it is
     * ready to accept traffic (after its runners), {@code tokenpipe.notify.failure-token} (0) when its start-up
     * failed.
     * @param timeout how long to wait
     * @return the token, 0 to 255
     * @throws AssertionFailedError when no token arrives within {@code timeout}, or the application closed the
     * descriptor without one (it stopped before it was ready, or its {@code tokenpipe.notify.*} settings are
     * invalid), with what to check; or when the read failed, with its errno's name and text (EINTR when the
     * waiting thread is interrupted)
     */
    public int awaitToken(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        int token = this.reader.tokenRead(timeout);
        if (token >= 0) {
            return token;
        }
        if (token == TokenPipeEnd.TS_EOS) {
            throw new AssertionFailedError("fd " + this.fd + " was closed without a readiness token: the application"
                    + " context closed before it was ready, or its tokenpipe.notify.* settings are invalid (see its log)");
        }
        if (token == TokenPipeEnd.TS_TIMEOUT) {
            throw new AssertionFailedError("No readiness token on fd " + this.fd + " within " + timeout + ". Either the"
                    + " application is not ready yet (a runner still runs), or no application adopted fd " + this.fd
                    + ": none was started after ReadinessPipeExtension set " + FD_PROPERTY + " (is its Spring test"
                    + " context cached from an earlier test class? then mark this class @DirtiesContext(classMode ="
                    + " BEFORE_CLASS)), or it was started with tokenpipe.enabled=false");
        }
        throw new AssertionFailedError("Reading the readiness token from fd " + this.fd + " failed: "
                + TokenPipePlatform.describeErrno(this.reader.lastErrno()));
    }

    /**
     * Takes a token that is already there, without waiting: for a check that nothing was written yet, say from a
     * runner of the application.
     * @return the token, or empty when none has been written (yet)
     */
    public OptionalInt pollToken() {
        int token = this.reader.tokenRead(Duration.ZERO);
        return (token >= 0) ? OptionalInt.of(token) : OptionalInt.empty();
    }

    void close() {
        this.reader.close();
    }

    @Override
    public String toString() {
        return "ReadinessPipe[fd=" + this.fd + "]";
    }

}
