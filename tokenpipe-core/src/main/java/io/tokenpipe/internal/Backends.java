package io.tokenpipe.internal;

import java.lang.reflect.InvocationTargetException;

/**
 * Picks the {@link Backend} of this JVM, once: the one named by the system property {@value #PROPERTY}
 * ({@code jna} or {@code ffm}), else FFM on Java 22 and later and JNA before. Nothing is loaded before the
 * first call that needs native code, and only the chosen backend's classes are ever loaded.
 */
public final class Backends {
    /** The system property that forces a backend. */
    public static final String PROPERTY = "tokenpipe.native";
    static final String JNA = "jna";
    static final String FFM = "ffm";
    /** The FFM backend, compiled for Java 22 into META-INF/versions/22 of the multi-release jar. */
    private static final String FFM_CLASS = "io.tokenpipe.internal.ffm.FfmBackend";
    private static final String JNA_CLASS = "io.tokenpipe.internal.jna.JnaBackend";

    /** The loaded backend; set before the platform layer is made, so that it can allocate {@link NativeBuffer}s. */
    private static volatile Backend current;

    private Backends() {
    }

    /** The backend {@link #load()} returned; null before. */
    static Backend current() {
        return current;
    }

    /**
     * The backend to use.
     *
     * @throws IllegalStateException naming the property and its values when it is set to something else, or to
     *         a backend this JVM cannot run
     */
    static Backend load() {
        Backend backend = choose();
        current = backend;
        return backend;
    }

    private static Backend choose() {
        String requested = System.getProperty(PROPERTY, "").trim();
        int feature = Runtime.version().feature();
        if (!requested.isEmpty() && !requested.equals(JNA) && !requested.equals(FFM)) {
            throw new IllegalStateException("system property " + PROPERTY + "=" + requested + " names no backend:"
                    + " use " + FFM + " (java.lang.foreign, Java 22 or later) or " + JNA + ", or leave it unset");
        }
        if (requested.equals(FFM) && feature < 22) {
            throw new IllegalStateException("-D" + PROPERTY + "=" + FFM + " needs Java 22 or later (java.lang.foreign);"
                    + " this is Java " + feature + ": use " + JNA + " or leave " + PROPERTY + " unset");
        }
        if (requested.equals(JNA) || feature < 22) {
            return instantiate(JNA_CLASS);
        }
        if (!requested.equals(FFM) && !exists(FFM_CLASS)) {
            // Classes run from a directory, not from the multi-release jar: META-INF/versions/22 is not seen.
            return instantiate(JNA_CLASS);
        }
        return instantiate(FFM_CLASS);
    }

    /**
     * Whether the class can be loaded, without initializing it. Not by looking for its .class file: a native image
     * has no class files as resources, and would never pick FFM.
     */
    private static boolean exists(String className) {
        try {
            Class.forName(className, false, Backends.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError missing) {
            return false;
        }
    }

    private static Backend instantiate(String className) {
        Class<?> backendClass;
        try {
            backendClass = Class.forName(className);
        } catch (ClassNotFoundException e) {
            // Only FFM can be missing: run from a directory of classes, META-INF/versions/22 is not seen.
            throw new IllegalStateException("-D" + PROPERTY + "=" + FFM + ": the FFM backend is not on the class"
                    + " path (it is in META-INF/versions/22 of the tokenpipe-core jar, which only a jar provides)", e);
        }
        try {
            return (Backend) backendClass.getDeclaredConstructor().newInstance();
        } catch (InvocationTargetException e) { // the backend's own reason: JNA's library missing, no native access
            Throwable reason = e.getCause();
            IllegalCallerException denied = nativeAccessDenied(reason);
            if (denied != null) {
                throw new IllegalStateException(nativeAccessAdvice(backendClass, denied), denied);
            }
            if (reason instanceof RuntimeException) {
                throw (RuntimeException) reason;
            }
            if (reason instanceof Error) {
                throw (Error) reason;
            }
            throw new IllegalStateException("cannot load " + className + ": " + reason, reason);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot load " + className + ": " + e, e);
        }
    }

    /** The IllegalCallerException somewhere in {@code thrown}'s causes: Java 22+ denying a restricted method. */
    private static IllegalCallerException nativeAccessDenied(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof IllegalCallerException) {
                return (IllegalCallerException) t;
            }
        }
        return null;
    }

    /**
     * What to do when the JVM runs with {@code --illegal-native-access=deny} (Java 24+) and native access is not
     * enabled for the module that needs it: ours for FFM (the class path's ALL-UNNAMED, or io.tokenpipe on the
     * module path), JNA's for JNA, which calls System.load itself.
     */
    private static String nativeAccessAdvice(Class<?> backendClass, IllegalCallerException denied) {
        Module module = backendClass.getModule();
        String value = module.isNamed() ? module.getName() : "ALL-UNNAMED";
        if (backendClass.getName().equals(JNA_CLASS) && module.isNamed()) {
            value += ",com.sun.jna";
        }
        return "this JVM denies native access (--illegal-native-access=deny) to " + (module.isNamed()
                ? "module " + module.getName() : "the class path") + ": start it with --enable-native-access="
                + value + (module.isNamed() ? "" : " (an executable jar can say Enable-Native-Access: ALL-UNNAMED"
                + " in its manifest instead)") + " [" + denied.getMessage() + "]";
    }
}
