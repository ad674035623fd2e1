/**
 * Actuator and Micrometer integration for token pipes: the {@code tokenPipe} health indicator, the
 * {@code tokenpipe.*} meters and the {@code tokenpipes} endpoint, each with its auto-configuration. Every
 * class here is only loaded when its optional dependency is on the class path.
 */
@NullMarked
package io.tokenpipe.spring.boot.actuate;

import org.jspecify.annotations.NullMarked;
