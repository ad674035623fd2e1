package io.tokenpipe.internal.posix;

import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The bytes of a {@code struct sockaddr_un} (an AF_UNIX socket address) and the address length to pass with it,
 * built in Java so that the layout of each platform is written down in one place and can be checked on any of
 * them.
 *
 * <ul>
 * <li>Linux ({@code <sys/un.h>}, {@code <bits/sockaddr.h>}; unix(7)):
 *     {@code struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }}, {@code sa_family_t} an
 *     {@code unsigned short} in native byte order. A path name is NUL-terminated and its length is
 *     {@code offsetof(sun_path) + strlen(path) + 1}. An abstract name is a NUL byte followed by the name, not
 *     terminated, and the length counts only the bytes used: {@code offsetof(sun_path) + 1 + strlen(name)} (the
 *     kernel takes every byte within the length as part of the name, NULs included).</li>
 * <li>macOS ({@code <sys/un.h>}, {@code <sys/socket.h>}):
 *     {@code struct sockaddr_un { unsigned char sun_len; sa_family_t sun_family; char sun_path[104]; }},
 *     {@code sa_family_t} an {@code unsigned char}; {@code sun_len} holds the address length. There is no
 *     abstract namespace.</li>
 * </ul>
 * AF_UNIX is 1 on both.
 */
public final class SockaddrUn {
    static final int AF_UNIX = 1;
    /** offsetof(struct sockaddr_un, sun_path): a 2-byte family on Linux; sun_len and a 1-byte family on macOS. */
    static final int PATH_OFFSET = 2;
    static final int LINUX_PATH_SIZE = 108;
    static final int MAC_PATH_SIZE = 104;

    private final byte[] bytes;

    private SockaddrUn(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * A Linux address: a path (NUL-terminated) or, when {@code abstractName}, a name in the abstract namespace.
     *
     * @param name the path, or the abstract name without its leading NUL; no NUL in a path
     * @throws IllegalArgumentException naming the rule when the name is empty, contains a NUL (a path), or does not
     *         fit in sun_path (at most 107 bytes for either kind: a path needs its NUL, an abstract name its leading NUL)
     */
    public static SockaddrUn linux(byte[] name, boolean abstractName) {
        checkName(name, abstractName, LINUX_PATH_SIZE - 1);
        byte[] address = new byte[PATH_OFFSET + 1 + name.length];
        short family = (short) AF_UNIX;
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            address[0] = (byte) family;
            address[1] = (byte) (family >> 8);
        } else {
            address[0] = (byte) (family >> 8);
            address[1] = (byte) family;
        }
        if (abstractName) {
            address[PATH_OFFSET] = 0; // the abstract namespace; no terminating NUL is counted
            System.arraycopy(name, 0, address, PATH_OFFSET + 1, name.length);
        } else {
            System.arraycopy(name, 0, address, PATH_OFFSET, name.length); // the last byte stays 0: the NUL
        }
        return new SockaddrUn(address);
    }

    /**
     * A macOS address: a NUL-terminated path, with sun_len set to the address length.
     *
     * @throws IllegalArgumentException when the path is empty, contains a NUL or is longer than 103 bytes
     */
    public static SockaddrUn mac(byte[] path) {
        checkName(path, false, MAC_PATH_SIZE - 1);
        byte[] address = new byte[PATH_OFFSET + path.length + 1];
        address[0] = (byte) address.length; // sun_len
        address[1] = (byte) AF_UNIX;        // sun_family
        System.arraycopy(path, 0, address, PATH_OFFSET, path.length);
        return new SockaddrUn(address);
    }

    private static void checkName(byte[] name, boolean abstractName, int maximum) {
        String kind = abstractName ? "abstract socket name" : "socket path";
        if (name.length == 0) {
            throw new IllegalArgumentException("the " + kind + " is empty");
        }
        if (name.length > maximum) {
            throw new IllegalArgumentException("the " + kind + " is " + name.length + " bytes long; sun_path holds at"
                    + " most " + maximum + " (and its " + (abstractName ? "leading" : "terminating") + " NUL)");
        }
        if (!abstractName) {
            for (byte b : name) {
                if (b == 0) {
                    throw new IllegalArgumentException("the socket path contains a NUL byte");
                }
            }
        }
    }

    /** The address as C sees it: exactly {@link #length()} bytes, the bytes to copy into native memory. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The socklen_t to pass with the address: the bytes used, not sizeof(struct sockaddr_un). */
    public int length() {
        return bytes.length;
    }

    @Override
    public String toString() {
        return "sockaddr_un" + Arrays.toString(bytes);
    }
}
