/**
 * Auto-configuration for the {@code tokenpipe.*} meters.
 */
@NullMarked
package io.tokenpipe.spring.boot.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
