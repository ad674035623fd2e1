package io.tokenpipe.spring.boot;

import java.io.FileNotFoundException;
import java.net.BindException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;

import static org.assertj.core.api.Assertions.assertThat;

/** What systemd is told about a failure: one STATUS line, and ERRNO where the failure carries one. */
class SystemdStatesTests {

    @Test
    void statusIsOneLineOfBoundedLength() {
        assertThat(SystemdStates.statusLine("  two\nlines\r\nand\ta\0tab  ")).isEqualTo("two lines and a tab");
        String cut = SystemdStates.statusLine("x".repeat(5000));
        assertThat(cut).hasSize(SystemdStates.MAX_STATUS_CHARS).endsWith("...");
    }

    @Test
    void failureStatusNamesTheMostSpecificCause() {
        Throwable failure = new BeanCreationException("database", "Error creating bean",
                new IllegalStateException("no database\nat all"));
        assertThat(SystemdStates.failureStatus(failure)).isEqualTo("Failed to start: IllegalStateException: no database at all");
        assertThat(SystemdStates.failureStatus(new IllegalStateException())).isEqualTo("Failed to start: IllegalStateException");
    }

    @Test
    void errnoComesFromTheFirstCauseThatCarriesOne() {
        assertThat(SystemdStates.errnoOf(new IllegalStateException("Port 8080 is already in use",
                new BindException("Address already in use")))).hasValue(98);
        assertThat(SystemdStates.errnoOf(new BindException("Cannot assign requested address"))).hasValue(99);
        assertThat(SystemdStates.errnoOf(new BindException("Permission denied"))).hasValue(13);
        assertThat(SystemdStates.errnoOf(new java.net.ConnectException("Connection refused"))).hasValue(111);
        assertThat(SystemdStates.errnoOf(new NoSuchFileException("/etc/app.conf"))).hasValue(2);
        assertThat(SystemdStates.errnoOf(new AccessDeniedException("/etc/app.conf"))).hasValue(13);
        assertThat(SystemdStates.errnoOf(new FileNotFoundException("/x (No such file or directory)"))).hasValue(2);
        assertThat(SystemdStates.errnoOf(new TokenPipeCreationException("pipe() failed: EMFILE", 24, false)))
            .hasValue(24);
        assertThat(SystemdStates.errnoOf(new IllegalStateException("no database"))).isEmpty();
        assertThat(SystemdStates.errnoOf(new BindException("something else"))).isEmpty();
    }

}
