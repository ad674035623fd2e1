package io.tokenpipe.internal.ffm;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Binding C functions to method handles, the same way for {@link FfmLibc} and {@link FfmMsvcrt}.
 *
 * <p>Every downcall is a plain one (no {@code Linker.Option.critical}). A critical downcall skips the thread
 * state transition, which saves about 15 ns per call here (getppid: 94 vs 79 ns, PiecesBenchmark), but the JVM
 * cannot reach a safepoint, so no GC can run, while the thread is in C. The calls on the token path
 * ({@code read}, {@code write}, {@code poll}) and the child calls ({@code waitid}, {@code waitpid}) block for as
 * long as the peer wants, so they must be plain. {@code close} is the one close for every descriptor (pipes
 * here, sockets for readiness notification), and close(2) can block (a lingering socket, a file on NFS);
 * {@code syscall} also runs statx on whatever {@code adopt} is given. What is left ({@code pipe2}, getpid, ...)
 * runs once per pipe or per process, where 15 ns do not show.
 *
 * <p>Pointers are passed as {@code JAVA_LONG} addresses, not as {@code MemorySegment}s, so that the
 * long-address {@link io.tokenpipe.internal.Libc} interface needs no segment object per call. That is exact
 * on every ABI this library supports: SysV x86-64 (Linux, macOS), AAPCS64 and Apple arm64, and Windows x64
 * all pass a pointer and a 64-bit integer alike, in the same general-purpose register or 8-byte stack slot,
 * and return both in rax/x0.
 */
final class Downcalls {
    static final Linker LINKER = Linker.nativeLinker();

    private Downcalls() {
    }

    /** Every descriptor bound so far, as GraalVM's reachability metadata writes it (see {@link #bound()}). */
    private static final Set<String> BOUND = ConcurrentHashMap.newKeySet();

    /**
     * The function {@code name} of {@code library}; with {@code captureErrno}, its first argument is the
     * thread's {@link CallState#state()}; {@code firstVariadic} is the index of its first variadic argument, or -1.
     */
    static MethodHandle bind(SymbolLookup library, String name, FunctionDescriptor descriptor, boolean captureErrno,
            int firstVariadic) {
        Optional<MethodHandle> handle = optional(library, name, descriptor, captureErrno, firstVariadic);
        if (handle.isEmpty()) {
            throw new UnsatisfiedLinkError("C function " + name + " not found");
        }
        return handle.get();
    }

    /**
     * As {@link #bind} (no variadic arguments), saving the call state that {@code capture} names, such as
     * Windows' GetLastError ({@code Linker.Option.captureCallState("GetLastError")}): the handle's first argument is
     * a segment of {@code Linker.Option.captureStateLayout()}.
     */
    static MethodHandle bindCapturing(SymbolLookup library, String name, FunctionDescriptor descriptor,
            Linker.Option capture) {
        MemorySegment symbol = library.find(name).orElseThrow(
                () -> new UnsatisfiedLinkError("C function " + name + " not found"));
        MethodHandle handle = LINKER.downcallHandle(symbol, descriptor, capture);
        BOUND.add(metadataKey(descriptor, true, -1));
        return handle;
    }

    /**
     * As {@link #bind}, or empty when the library lacks the function. No lambdas here or in what it calls on the
     * way: each costs a fresh JVM's first make() its bootstrap.
     */
    static Optional<MethodHandle> optional(SymbolLookup library, String name, FunctionDescriptor descriptor,
            boolean captureErrno, int firstVariadic) {
        Optional<MemorySegment> symbol = library.find(name);
        if (symbol.isEmpty()) {
            return Optional.empty();
        }
        List<Linker.Option> options = new ArrayList<>(2);
        if (captureErrno) {
            options.add(CallState.CAPTURE);
        }
        if (firstVariadic >= 0) {
            options.add(Linker.Option.firstVariadicArg(firstVariadic));
        }
        MethodHandle handle = LINKER.downcallHandle(symbol.get(), descriptor,
                options.toArray(new Linker.Option[0]));
        BOUND.add(metadataKey(descriptor, captureErrno, firstVariadic));
        return Optional.of(handle);
    }

    /**
     * The descriptors bound in this JVM, each as {@code returnType(parameterTypes) options} in the canonical
     * layout names of GraalVM's {@code foreign.downcalls} metadata ({@code jint}, {@code jlong}, {@code jshort},
     * {@code void*}): a test checks that reachability-metadata.json lists them all, since a native image can only
     * make the downcalls it was built with.
     */
    static Set<String> bound() {
        return Set.copyOf(BOUND);
    }

    private static String metadataKey(FunctionDescriptor descriptor, boolean captureErrno, int firstVariadic) {
        Optional<MemoryLayout> result = descriptor.returnLayout();
        StringBuilder key = new StringBuilder(result.isPresent() ? typeName(result.get()) : "void");
        key.append('(');
        for (int i = 0; i < descriptor.argumentLayouts().size(); i++) {
            key.append(i == 0 ? "" : ",").append(typeName(descriptor.argumentLayouts().get(i)));
        }
        key.append(')');
        if (captureErrno) {
            key.append(" captureCallState");
        }
        if (firstVariadic >= 0) {
            key.append(" firstVariadicArg=").append(firstVariadic);
        }
        return key.toString();
    }

    private static String typeName(MemoryLayout layout) {
        Class<?> carrier = ((ValueLayout) layout).carrier();
        return carrier == MemorySegment.class ? "void*" : "j" + carrier.getName();
    }

    /**
     * Has {@code close} (a handle of {@code int close(int)}) customized at once: java.lang.invoke customizes a method
     * handle's lambda form at its 128th call through invokeExact from code that does not see it as a constant (the
     * interpreter, C1; {@code java.lang.invoke.MethodHandle.CUSTOMIZE_THRESHOLD}, 127 by default), before calling
     * it. That allocates; in a full heap it throws OutOfMemoryError before close(2), at every call until there is
     * room (seen with -Xlog:exceptions in OutOfMemoryTest's child), and a descriptor stays open. close(-1) is
     * harmless: EBADF.
     */
    static void passCustomization(MethodHandle close) {
        int threshold = Integer.getInteger("java.lang.invoke.MethodHandle.CUSTOMIZE_THRESHOLD", 127);
        try {
            for (int i = 0; i <= Math.min(threshold, 1_000); i++) {
                int ignored = (int) close.invokeExact(-1);
            }
        } catch (Throwable e) {
            throw unexpected(e);
        }
    }

    /** The bytes of the C string at {@code text}, without its NUL; null for NULL (decoded by NativeText). */
    static byte[] cString(MemorySegment text) {
        if (text.equals(MemorySegment.NULL)) {
            return null;
        }
        MemorySegment unbounded = text.reinterpret(Long.MAX_VALUE);
        long length = 0;
        while (unbounded.get(ValueLayout.JAVA_BYTE, length) != 0) {
            length++;
        }
        return unbounded.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
    }

    /** A throwable from a downcall (none is expected: C code does not throw Java exceptions) as unchecked. */
    static RuntimeException unexpected(Throwable thrown) {
        if (thrown instanceof Error error) {
            throw error;
        }
        return thrown instanceof RuntimeException runtime ? runtime
                : new IllegalStateException("downcall failed: " + thrown, thrown);
    }

    /**
     * errno as C left it, saved by the downcall itself ({@code Linker.Option.captureCallState("errno")}) into a
     * segment of the calling thread, before the JVM can run code that changes it. One segment per thread, made
     * on its first call and freed with it (an automatic arena): a call allocates nothing.
     */
    static final class CallState {
        static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
        private static final StructLayout LAYOUT = Linker.Option.captureStateLayout();
        private static final long OFFSET = LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
        private static final ThreadLocal<MemorySegment> STATE = new ThreadLocal<>() {
            @Override
            protected MemorySegment initialValue() {
                return Arena.ofAuto().allocate(LAYOUT);
            }
        };

        private CallState() {
        }

        /** The calling thread's capture segment: the first argument of every downcall bound with {@link #CAPTURE}. */
        static MemorySegment state() {
            return STATE.get();
        }

        /** errno as the calling thread's last call bound with {@link #CAPTURE} left it. */
        static int last() {
            return STATE.get().get(JAVA_INT, OFFSET);
        }
    }
}
