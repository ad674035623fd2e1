/**
 * Actuator and Micrometer integration for token pipes: the {@code tokenPipe} health indicator, the
 * {@code tokenpipe.*} meters and the {@code tokenpipes} endpoint. Their auto-configurations live in
 * {@code io.tokenpipe.spring.boot.autoconfigure.health}, {@code .metrics} and {@code .endpoint}; every class here
 * is only loaded when its optional dependency is on the class path.
 */
@NullMarked
package io.tokenpipe.spring.boot.actuate;

import org.jspecify.annotations.NullMarked;
