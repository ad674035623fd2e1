package io.tokenpipe;

import java.util.Optional;

/** The negative results of {@link TokenPipeEnd#tokenRead()} and {@link TokenPipeEnd#tokenWrite(int)}, by name. */
public enum TokenPipeEndStatus {
    /** An I/O error, or a call on a closed end; {@link TokenPipeEnd#lastErrno()} says which. */
    TS_ERR(TokenPipeEnd.TS_ERR),
    /** End of stream: every write end of the pipe is closed (read), or nothing could be written (write). */
    TS_EOS(TokenPipeEnd.TS_EOS),
    /** {@link TokenPipeEnd#tokenRead(java.time.Duration)} saw no token within its timeout. */
    TS_TIMEOUT(TokenPipeEnd.TS_TIMEOUT);

    private final int code;

    TokenPipeEndStatus(int code) {
        this.code = code;
    }

    /** The int status code: -1, -2 or -3. */
    public int code() {
        return code;
    }

    /** The status for {@code code}, or empty when {@code code} is not a status (a token 0..255, or 0 from a write). */
    public static Optional<TokenPipeEndStatus> of(int code) {
        switch (code) {
            case TokenPipeEnd.TS_ERR: return Optional.of(TS_ERR);
            case TokenPipeEnd.TS_EOS: return Optional.of(TS_EOS);
            case TokenPipeEnd.TS_TIMEOUT: return Optional.of(TS_TIMEOUT);
            default: return Optional.empty();
        }
    }
}
