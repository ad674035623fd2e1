package io.tokenpipe.spring.boot;

import java.io.FileNotFoundException;
import java.net.BindException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.HashSet;
import java.util.OptionalInt;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.core.NestedExceptionUtils;

/**
 * What the starter tells systemd, as text: STATUS lines (one line each, of a length systemd shows whole) and the
 * ERRNO of a start-up failure where the failure carries one.
 */
final class SystemdStates {

    /** A STATUS longer than this is cut: systemctl status shows one line, and a message holds 4096 bytes. */
    static final int MAX_STATUS_CHARS = 1000;

    // Linux, include/uapi/asm-generic/errno-base.h and errno.h (systemd runs on Linux only)
    private static final int ENOENT = 2;

    private static final int EACCES = 13;

    private static final int EEXIST = 17;

    private static final int EADDRINUSE = 98;

    private static final int EADDRNOTAVAIL = 99;

    private static final int ECONNREFUSED = 111;

    private SystemdStates() {
    }

    /**
     * {@code text} as one STATUS line.
     * @param text any text, such as an exception message
     * @return the text with line breaks, tabs and NULs turned into spaces, trimmed, and cut to
     * {@value #MAX_STATUS_CHARS} characters (ending in "...")
     */
    static String statusLine(String text) {
        StringBuilder line = new StringBuilder(Math.min(text.length(), MAX_STATUS_CHARS));
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r' || c == '\t' || c == '\0' || c == ' ') {
                space = line.length() > 0;
                continue;
            }
            if (space) {
                line.append(' ');
                space = false;
            }
            line.append(c);
        }
        return (line.length() <= MAX_STATUS_CHARS) ? line.toString()
                : line.substring(0, MAX_STATUS_CHARS - 3) + "...";
    }

    /**
     * The STATUS for a start-up failure.
     * @param failure what stopped the start-up
     * @return "Failed to start: " and the most specific cause, its type and message, as one line
     */
    static String failureStatus(Throwable failure) {
        Throwable cause = NestedExceptionUtils.getMostSpecificCause(failure);
        String message = cause.getMessage();
        return statusLine("Failed to start: " + cause.getClass().getSimpleName()
                + ((message != null && !message.isBlank()) ? ": " + message : ""));
    }

    /**
     * The errno that a start-up failure carries, for systemd's ERRNO=: from the first exception in the cause
     * chain that tells one (a port in use, a missing or unreadable file, a refused connection, a token pipe the
     * OS refused).
     * @param failure what stopped the start-up
     * @return the Linux errno, or empty when no cause names one
     */
    static OptionalInt errnoOf(Throwable failure) {
        Set<Throwable> seen = new HashSet<>();
        for (Throwable cause = failure; cause != null && seen.add(cause); cause = cause.getCause()) {
            OptionalInt errno = errnoOfOne(cause);
            if (errno.isPresent()) {
                return errno;
            }
        }
        return OptionalInt.empty();
    }

    private static OptionalInt errnoOfOne(Throwable cause) {
        String message = (cause.getMessage() != null) ? cause.getMessage() : "";
        if (cause instanceof TokenPipeCreationException creation && creation.getErrno() > 0) {
            return OptionalInt.of(creation.getErrno());
        }
        if (cause instanceof BindException) {
            return byMessage(message, "Address already in use", EADDRINUSE, "Cannot assign requested address",
                    EADDRNOTAVAIL, "Permission denied", EACCES);
        }
        if (cause instanceof ConnectException) {
            return byMessage(message, "Connection refused", ECONNREFUSED, null, 0, null, 0);
        }
        if (cause instanceof NoSuchFileException) {
            return OptionalInt.of(ENOENT);
        }
        if (cause instanceof AccessDeniedException) {
            return OptionalInt.of(EACCES);
        }
        if (cause instanceof FileAlreadyExistsException) {
            return OptionalInt.of(EEXIST);
        }
        if (cause instanceof FileNotFoundException) { // "/x (No such file or directory)", from the C library's text
            return byMessage(message, "(No such file or directory)", ENOENT, "(Permission denied)", EACCES, null, 0);
        }
        return OptionalInt.empty();
    }

    private static OptionalInt byMessage(String message, String first, int firstErrno, @Nullable String second,
            int secondErrno, @Nullable String third, int thirdErrno) {
        if (message.contains(first)) {
            return OptionalInt.of(firstErrno);
        }
        if (second != null && message.contains(second)) {
            return OptionalInt.of(secondErrno);
        }
        if (third != null && message.contains(third)) {
            return OptionalInt.of(thirdErrno);
        }
        return OptionalInt.empty();
    }

}
