/**
 * Auto-configuration for the {@code tokenPipe} health indicator.
 */
@NullMarked
package io.tokenpipe.spring.boot.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
