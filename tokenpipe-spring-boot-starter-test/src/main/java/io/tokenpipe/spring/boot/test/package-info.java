/**
 * Test support for applications that use the tokenpipe starter: {@link AutoConfigureTokenPipes} for test slices, and
 * {@link ReadinessPipeExtension}, which lets a test check that the application writes its readiness token.
 */
@NullMarked
package io.tokenpipe.spring.boot.test;

import org.jspecify.annotations.NullMarked;
