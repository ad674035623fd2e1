package io.tokenpipe.bench;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;

/**
 * The FFM floor under tokenpipe on Java 22+: the same libc calls as {@link RawLibc}, as plain java.lang.foreign
 * downcalls with long addresses and nothing around them (no errno capture, no close protocol, no wake-ups).
 * This module is compiled for Java 17, so the handles are made through reflection; they are ordinary
 * {@code static final} method handles all the same, constants the JIT inlines through. Only for the benchmarks
 * run on Java 22+ ({@code run.sh} runs them on JDK 25 with --enable-native-access=ALL-UNNAMED).
 */
final class RawFfm {
    static final MethodHandle READ = downcall("read", "JAVA_LONG", "JAVA_INT", "JAVA_LONG", "JAVA_LONG");
    static final MethodHandle WRITE = downcall("write", "JAVA_LONG", "JAVA_INT", "JAVA_LONG", "JAVA_LONG");
    static final MethodHandle PIPE2 = downcall("pipe2", "JAVA_INT", "JAVA_LONG", "JAVA_INT");
    static final MethodHandle CLOSE = downcall("close", "JAVA_INT", "JAVA_INT");
    /** A system call that does next to nothing in the kernel. */
    static final MethodHandle GETPPID = downcall("getppid", "JAVA_INT");
    /** No system call: what a downcall costs by itself. */
    static final MethodHandle LABS = downcall("labs", "JAVA_LONG", "JAVA_LONG");
    /**
     * getppid as a critical downcall (no thread-state transition, so no safepoint while in C): what tokenpipe
     * does not use, measured to show what it would save.
     */
    static final MethodHandle GETPPID_CRITICAL = downcall(true, "getppid", "JAVA_INT");

    private RawFfm() {
    }

    static long read(int fd, long buf, long count) {
        try {
            return (long) READ.invokeExact(fd, buf, count);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static long write(int fd, long buf, long count) {
        try {
            return (long) WRITE.invokeExact(fd, buf, count);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static int pipe2(long fds, int flags) {
        try {
            return (int) PIPE2.invokeExact(fds, flags);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(fd);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static int getppid() {
        try {
            return (int) GETPPID.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static int getppidCritical() {
        try {
            return (int) GETPPID_CRITICAL.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static long labs(long value) {
        try {
            return (long) LABS.invokeExact(value);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Linker.nativeLinker().downcallHandle(defaultLookup().find(name), FunctionDescriptor.of(result, args)). */
    private static MethodHandle downcall(String name, String result, String... arguments) {
        return downcall(false, name, result, arguments);
    }

    private static MethodHandle downcall(boolean critical, String name, String result, String... arguments) {
        try {
            Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
            Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> valueLayout = Class.forName("java.lang.foreign.ValueLayout");
            Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
            Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
            Object lookup = linkerClass.getMethod("defaultLookup").invoke(linker);
            Object symbol = ((java.util.Optional<?>) Class.forName("java.lang.foreign.SymbolLookup")
                    .getMethod("find", String.class).invoke(lookup, name)).orElseThrow();
            Object[] layouts = (Object[]) Array.newInstance(layoutClass, arguments.length);
            for (int i = 0; i < arguments.length; i++) {
                layouts[i] = valueLayout.getField(arguments[i]).get(null);
            }
            Object descriptor = descriptorClass.getMethod("of", layoutClass, layouts.getClass())
                    .invoke(null, valueLayout.getField(result).get(null), layouts);
            Object options = Array.newInstance(optionClass, critical ? 1 : 0);
            if (critical) {
                Array.set(options, 0, optionClass.getMethod("critical", boolean.class).invoke(null, false));
            }
            return (MethodHandle) linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass,
                    options.getClass()).invoke(linker, symbol, descriptor, options);
        } catch (ClassNotFoundException beforeJava22) {
            return null;
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot bind " + name + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot bind " + name + ": " + e, e);
        }
    }
}
