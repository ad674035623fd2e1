/**
 * Auto-configuration for the {@code tokenpipes} actuator endpoint.
 */
@NullMarked
package io.tokenpipe.spring.boot.autoconfigure.endpoint;

import org.jspecify.annotations.NullMarked;
