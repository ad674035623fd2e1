/**
 * Auto-configuration for token pipes: the {@link io.tokenpipe.spring.boot.TokenPipeFactory} bean and its
 * {@code tokenpipe.*} properties. The health, metrics and endpoint wiring live in the sub-packages, each guarded
 * by a class condition on its optional module.
 */
@NullMarked
package io.tokenpipe.spring.boot.autoconfigure;

import org.jspecify.annotations.NullMarked;
