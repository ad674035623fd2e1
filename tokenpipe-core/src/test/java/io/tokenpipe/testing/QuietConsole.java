package io.tokenpipe.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Keeps a test class's console output (System.out and System.err, and so a logger's console appender) in memory,
 * and prints it to the real console only for a test that failed. For tests whose passing run logs expected
 * failures, stack traces and "APPLICATION FAILED TO START" reports: register it before Boot's
 * {@code OutputCaptureExtension}, which copies what it captures to the streams it finds, so that the test still
 * asserts on every line while a passing run prints none of them.
 */
public final class QuietConsole implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(QuietConsole.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        push(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        pop(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        push(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        pop(context);
    }

    private static void push(ExtensionContext context) {
        Buffer buffer = new Buffer(System.out, System.err);
        context.getStore(NAMESPACE).put("buffer", buffer);
        System.setOut(buffer.out);
        System.setErr(buffer.err);
    }

    /**
     * Restores the streams. When this test (or the class) failed, replays what was held back to the console the
     * class started with: not into the streams just restored, where an output capture of the class would keep it
     * and show it to the tests that follow.
     */
    private static void pop(ExtensionContext context) {
        Buffer buffer = context.getStore(NAMESPACE).remove("buffer", Buffer.class);
        if (buffer == null) {
            return;
        }
        System.out.flush();
        System.err.flush();
        System.setOut(buffer.originalOut);
        System.setErr(buffer.originalErr);
        if (context.getExecutionException().isPresent()) {
            PrintStream console = context.getParent().map(QuietConsole::classConsole).orElse(buffer.originalOut);
            console.print(buffer.bytes.toString(Charset.defaultCharset()));
            console.flush();
        }
    }

    /** The System.out the class's own buffer replaced, or null outside a class. */
    private static PrintStream classConsole(ExtensionContext classContext) {
        Buffer classBuffer = classContext.getStore(NAMESPACE).get("buffer", Buffer.class);
        return classBuffer == null ? null : classBuffer.originalOut;
    }

    /** One test's output, both streams in the order written, and the streams it replaced. */
    private static final class Buffer {
        final PrintStream originalOut;
        final PrintStream originalErr;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out;
        final PrintStream err;

        Buffer(PrintStream originalOut, PrintStream originalErr) {
            this.originalOut = originalOut;
            this.originalErr = originalErr;
            PrintStream shared = new PrintStream(bytes, true, Charset.defaultCharset());
            this.out = shared;
            this.err = shared;
        }
    }
}
