package io.tokenpipe.spring.boot.test;

import java.util.Optional;
import java.util.OptionalInt;

import io.tokenpipe.TokenPipe;
import io.tokenpipe.TokenPipeEnd;
import io.tokenpipe.spring.boot.TokenPipeReadinessNotifier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit extension for the test "my application writes the ready token when it is ready". Before the test class
 * runs it makes a token pipe, sets the system property {@code tokenpipe.notify.fd} to its write end and resets the
 * starter's once-per-JVM claim on the notify descriptor, so that the next application started in this JVM (a
 * {@code @SpringBootTest} context, or {@code SpringApplication.run} in a test) adopts it as a parent's pipe. Tests
 * receive the {@link ReadinessPipe} as a parameter and await the token.
 *
 * <pre>{@code
 * @SpringBootTest
 * @ExtendWith(ReadinessPipeExtension.class)
 * class ReadinessTokenTests {
 *
 *     @Test
 *     void writesTheReadyTokenOnceReady(ReadinessPipe pipe) {
 *         assertThat(pipe.awaitToken(Duration.ofSeconds(30))).isEqualTo(1);
 *     }
 *
 * }
 * }</pre>
 *
 * <p>One pipe per test class, since an application writes one token: put each run in a class of its own (a
 * {@code @Nested} class gets its own pipe). After the class, the property is restored and the pipe closed: its
 * read end, and its write end unless the application adopted it (the application closes what it adopted). The
 * property is JVM-wide: do not run such classes in parallel with other Spring tests. A {@code @SpringBootTest}
 * context that Spring's test framework cached for an earlier class is not started again and never sees the pipe:
 * give the class a context of its own ({@code @DirtiesContext(classMode = BEFORE_CLASS)}).
 */
public final class ReadinessPipeExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
        .create(ReadinessPipeExtension.class);

    /** Created by JUnit from {@code @ExtendWith}. */
    public ReadinessPipeExtension() {
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        TokenPipeReadinessNotifier.resetClaim();
        TokenPipe pipe = TokenPipe.make()
            .orElseThrow(() -> new ExtensionConfigurationException("Cannot make the readiness pipe: "
                    + TokenPipe.lastMakeFailure().orElse("pipe() failed")));
        TokenPipeEnd reader = pipe.takeReadEnd();
        int fd = pipe.takeWriteEnd().detach();
        String previous = System.setProperty(ReadinessPipe.FD_PROPERTY, Integer.toString(fd));
        context.getStore(NAMESPACE).put(State.class, new State(new ReadinessPipe(reader, fd), previous));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        State state = context.getStore(NAMESPACE).remove(State.class, State.class);
        if (state == null) {
            return;
        }
        if (state.previousProperty != null) {
            System.setProperty(ReadinessPipe.FD_PROPERTY, state.previousProperty);
        }
        else {
            System.clearProperty(ReadinessPipe.FD_PROPERTY);
        }
        state.pipe.close();
        OptionalInt adopted = TokenPipeReadinessNotifier.resetClaim();
        if (adopted.isEmpty() || adopted.getAsInt() != state.pipe.fd()) {
            closeUnadopted(state.pipe.fd());
        }
    }

    /** The write end nobody adopted is still ours, inheritable and unowned: adopting it is how it gets closed. */
    private static void closeUnadopted(int fd) {
        try {
            TokenPipeEnd.adopt(fd).close();
        }
        catch (IllegalArgumentException ex) {
            // not open any more, or owned by someone else now: not ours to close
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == ReadinessPipe.class;
    }

    @Override
    public ReadinessPipe resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return Optional.ofNullable(extensionContext.getStore(NAMESPACE).get(State.class, State.class))
            .map(State::pipe)
            .orElseThrow(() -> new ExtensionConfigurationException("ReadinessPipeExtension must be registered on the"
                    + " test class (@ExtendWith on the class), not on a method: the pipe is made before the class runs"));
    }

    /** The class's pipe and the value of the property before the extension set it. */
    private record State(ReadinessPipe pipe, @Nullable String previousProperty) {
    }

}
