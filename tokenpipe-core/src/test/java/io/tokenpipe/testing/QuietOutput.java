package io.tokenpipe.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit extension that takes {@code System.out} and {@code System.err} of each test into memory, so that a
 * passing test prints nothing: log lines, stack traces and failure reports that the test provokes on purpose
 * are asserted on instead ({@link Captured} as a test method parameter). Boot's {@code OutputCaptureExtension}
 * captures too, but also copies everything to the console. A failing test's output is printed after it, so
 * nothing is lost where it helps. Loggers that write to {@code System.out} when they write (Logback's console
 * appender does) are captured; a child process writes to the descriptors it inherited, which this cannot
 * capture: redirect its output to a file.
 *
 * <p>The class's own {@code @BeforeAll} and {@code @AfterAll} output is held back the same way. Registered before
 * Boot's {@code OutputCaptureExtension} ({@code @ExtendWith({ QuietOutput.class, OutputCaptureExtension.class })}),
 * it keeps that extension's copy off the console too, so a test can assert with Boot's {@code CapturedOutput}.
 */
public final class QuietOutput
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(QuietOutput.class);

    /** What a test wrote to {@code System.out} and {@code System.err} so far, in the order written. */
    public static final class Captured implements CharSequence {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final PrintStream out;
        private final PrintStream err;
        private final PrintStream originalOut;
        private final PrintStream originalErr;

        private Captured(PrintStream originalOut, PrintStream originalErr) {
            this.originalOut = originalOut;
            this.originalErr = originalErr;
            this.out = new PrintStream(this.bytes, true, StandardCharsets.UTF_8);
            this.err = new PrintStream(this.bytes, true, StandardCharsets.UTF_8);
        }

        /** The text written so far. */
        public String text() {
            this.out.flush();
            this.err.flush();
            synchronized (this.bytes) {
                return this.bytes.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public int length() {
            return text().length();
        }

        @Override
        public char charAt(int index) {
            return text().charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text().subSequence(start, end);
        }

        @Override
        public String toString() {
            return text();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        beforeEach(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        afterEach(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        Captured captured = new Captured(System.out, System.err);
        context.getStore(NAMESPACE).put(Captured.class, captured);
        System.setOut(captured.out);
        System.setErr(captured.err);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Captured captured = context.getStore(NAMESPACE).remove(Captured.class, Captured.class);
        if (captured == null) {
            return;
        }
        System.setOut(captured.originalOut);
        System.setErr(captured.originalErr);
        if (context.getExecutionException().isPresent()) {
            // To the console the class started with: the streams just restored may be a capture of the class
            // (Boot's), which would show this text to the tests that follow.
            PrintStream console = context.getParent()
                .map((parent) -> parent.getStore(NAMESPACE).get(Captured.class, Captured.class))
                .map((outer) -> outer.originalErr)
                .orElse(captured.originalErr);
            console.println("--- output of the failed test " + context.getDisplayName() + " ---");
            console.print(captured.text());
            console.println("--- end of the output of " + context.getDisplayName() + " ---");
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Captured.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).get(Captured.class, Captured.class);
    }
}
