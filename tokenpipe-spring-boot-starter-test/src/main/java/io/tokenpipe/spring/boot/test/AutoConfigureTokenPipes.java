package io.tokenpipe.spring.boot.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * Adds the token pipe auto-configuration (the {@code TokenPipeFactory} bean, and its health indicator, meters and
 * endpoint where their modules are present) to a test slice such as {@code @WebMvcTest}, which otherwise leaves
 * it out: a controller that needs a {@code TokenPipeFactory} then starts as in the full application.
 *
 * <pre>{@code
 * @WebMvcTest(WorkerController.class)
 * @AutoConfigureTokenPipes
 * class WorkerControllerTests {
 * }
 * }</pre>
 *
 * <p>The auto-configurations it imports are listed in
 * {@code META-INF/spring/io.tokenpipe.spring.boot.test.AutoConfigureTokenPipes.imports}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration
public @interface AutoConfigureTokenPipes {

}
