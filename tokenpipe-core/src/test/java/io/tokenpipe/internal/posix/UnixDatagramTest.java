package io.tokenpipe.internal.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.tokenpipe.internal.NativeIo;
import io.tokenpipe.testing.FdCount;
import io.tokenpipe.testing.RawFds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The notification socket as the kernel sees it (close-on-exec, AF_UNIX, SOCK_DGRAM), and sockaddr_un byte for
 * byte on both layouts: Linux (run here) and macOS (built here, checked against its header only).
 */
@ExtendWith(FdCount.class)
class UnixDatagramTest {
    private static final int SOCK_DGRAM = 2;

    @Test
    void theSocketIsAnAfUnixDatagramSocketAndCloseOnExecFromTheStart() throws Exception {
        int fd = UnixDatagram.openSocket(((PosixIo) NativeIo.get()).libc());
        assertThat(fd).as("socket() or -errno").isGreaterThan(2);
        try {
            assertThat(RawFds.fdinfoFlags(fd) & RawFds.O_CLOEXEC).as("O_CLOEXEC in /proc/self/fdinfo/%d", fd)
                    .isNotZero();
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            assertThat(target).startsWith("socket:[");
            String inode = target.substring("socket:[".length(), target.length() - 1);
            // /proc/net/unix: Num RefCount Protocol Flags Type St Inode [Path]; Type 0002 is SOCK_DGRAM
            String line = Files.readAllLines(Path.of("/proc/net/unix")).stream()
                    .filter(row -> row.trim().split("\\s+").length > 6 && row.trim().split("\\s+")[6].equals(inode))
                    .findFirst().orElseThrow(() -> new AssertionError("inode " + inode + " not in /proc/net/unix"));
            assertThat(Integer.parseInt(line.trim().split("\\s+")[4], 16)).isEqualTo(SOCK_DGRAM);
        } finally {
            RawFds.close(fd);
        }
    }

    @Test
    void linuxPathAddressIsFamilyThenPathThenOneNul() {
        SockaddrUn address = SockaddrUn.linux("/run/x".getBytes(StandardCharsets.US_ASCII), false);

        // sa_family_t AF_UNIX = 1 as a little-endian unsigned short (x86-64, aarch64), "/run/x", NUL
        assertThat(address.bytes()).containsExactly(1, 0, '/', 'r', 'u', 'n', '/', 'x', 0);
        assertThat(address.length()).isEqualTo(2 + 6 + 1);
    }

    @Test
    void linuxAbstractAddressIsFamilyThenNulThenTheNameAndCountsOnlyTheUsedBytes() {
        SockaddrUn address = SockaddrUn.linux("ab".getBytes(StandardCharsets.US_ASCII), true);

        assertThat(address.bytes()).containsExactly(1, 0, 0, 'a', 'b');
        assertThat(address.length()).as("not sizeof(struct sockaddr_un) = 110").isEqualTo(5);
    }

    @Test
    void linuxNamesFitSunPathOf108Bytes() {
        assertThat(SockaddrUn.linux(new byte[107], true).length()).isEqualTo(110);
        byte[] path = "/".concat("p".repeat(106)).getBytes(StandardCharsets.US_ASCII);
        assertThat(SockaddrUn.linux(path, false).length()).isEqualTo(110);
        assertThatIllegalArgumentException().isThrownBy(() -> SockaddrUn.linux(new byte[108], true))
                .withMessage("the abstract socket name is 108 bytes long; sun_path holds at most 107 (and its"
                        + " leading NUL)");
        assertThatIllegalArgumentException().isThrownBy(() -> SockaddrUn.linux(new byte[] {'/', 0, 'x'}, false))
                .withMessage("the socket path contains a NUL byte");
        assertThatIllegalArgumentException().isThrownBy(() -> SockaddrUn.linux(new byte[0], false))
                .withMessage("the socket path is empty");
    }

    @Test
    void anAbstractNameMayHoldNulBytesAsTheKernelTakesThemAll() {
        assertThat(SockaddrUn.linux(new byte[] {'a', 0, 'b'}, true).bytes()).containsExactly(1, 0, 0, 'a', 0, 'b');
    }

    @Test
    void macAddressStartsWithSunLenAndAOneByteFamily() {
        SockaddrUn address = SockaddrUn.mac("/tmp/n".getBytes(StandardCharsets.US_ASCII));

        // <sys/un.h>: unsigned char sun_len; sa_family_t (u_int8_t) sun_family; char sun_path[104]
        assertThat(address.bytes()).containsExactly(9, 1, '/', 't', 'm', 'p', '/', 'n', 0);
        assertThat(address.length()).isEqualTo(9);
        assertThat(SockaddrUn.mac("/".concat("p".repeat(102)).getBytes(StandardCharsets.US_ASCII)).length())
                .isEqualTo(106);
        assertThatIllegalArgumentException().isThrownBy(() -> SockaddrUn.mac("/".concat("p".repeat(103))
                .getBytes(StandardCharsets.US_ASCII)))
                .withMessageContaining("at most 103");
    }
}
