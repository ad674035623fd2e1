/**
 * Token pipes in Spring Boot, the types applications use: {@link io.tokenpipe.spring.boot.TokenPipeFactory}, its
 * {@code tokenpipe.*} properties, the readiness notification to a parent process (a pipe, s6, systemd's
 * NOTIFY_SOCKET and its watchdog), daemon mode, and the failure analysis of bad values. Nothing here needs actuator
 * or Micrometer (the systemd watchdog follows actuator's health groups only where they are present); those
 * integrations live in {@code io.tokenpipe.spring.boot.actuate}, and the wiring in
 * {@code io.tokenpipe.spring.boot.autoconfigure}.
 */
@NullMarked
package io.tokenpipe.spring.boot;

import org.jspecify.annotations.NullMarked;
