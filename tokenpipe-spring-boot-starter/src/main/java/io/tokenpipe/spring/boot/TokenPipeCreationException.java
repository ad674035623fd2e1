package io.tokenpipe.spring.boot;

/**
 * {@link TokenPipeFactory#create(String)} could not make a pipe: the operating system refused (then
 * {@link #getErrno()} says why), this platform cannot make token pipes, or the factory's limit on open
 * pipes ({@code tokenpipe.max-open-pipes}) is reached. The message names the pipe and the cause.
 */
public class TokenPipeCreationException extends IllegalStateException {

    private final int errno;

    private final boolean limitReached;

    TokenPipeCreationException(String message, int errno, boolean limitReached) {
        super(message);
        this.errno = errno;
        this.limitReached = limitReached;
    }

    /**
     * The errno of the refused {@code pipe()} call (EMFILE 24, ENFILE 23 ...).
     * @return the errno, or 0 when the cause was the limit or an unsupported platform
     */
    public int getErrno() {
        return this.errno;
    }

    /**
     * Whether the cause was the factory's limit on open pipes rather than the operating system.
     * @return true when the limit {@code tokenpipe.max-open-pipes} refused the pipe, false otherwise
     */
    public boolean isLimitReached() {
        return this.limitReached;
    }

}
