package io.tokenpipe.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** errno names as Linux's asm-generic/errno-base.h and errno.h give them, and text from the C library. */
class ErrnoTest {
    @Test
    void socketErrorsHaveTheirLinuxNames() {
        assertThat(Errno.name(111)).isEqualTo("ECONNREFUSED");
        assertThat(Errno.name(90)).isEqualTo("EMSGSIZE");
        assertThat(Errno.name(98)).isEqualTo("EADDRINUSE");
        assertThat(Errno.name(95)).isEqualTo("EOPNOTSUPP");
        assertThat(Errno.name(132)).isEqualTo("ERFKILL");
        assertThat(Errno.describe(111)).isEqualTo("ECONNREFUSED (Connection refused)");
    }

    @Test
    void unusedAndUnknownNumbersAreShownAsNumbers() {
        assertThat(Errno.name(41)).isEqualTo("errno 41"); // no errno has this number on Linux
        assertThat(Errno.name(58)).isEqualTo("errno 58");
        assertThat(Errno.name(133)).isEqualTo("errno 133");
        assertThat(Errno.name(0)).isEqualTo("errno 0");
        assertThat(Errno.name(-1)).isEqualTo("errno -1");
    }
}
