package io.tokenpipe.spring.boot;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;

/**
 * The command line of daemon mode's detached copy: this JVM's own {@code java}, JVM options (but those the copy reads
 * again from the environment, {@link JvmOptionVariables}), executable jar or class path and main class, and arguments,
 * without the daemon switch; and, whatever the launcher was given, notification on, at fd 3, with the tokens the
 * launcher reads (swapped tokens would make a failed copy look ready). Those settings go in as system properties, which
 * Boot reads whether or not the application passes its arguments to {@code SpringApplication.run}; the launcher's own
 * arguments and system properties that set them are left out. One of them marks the copy ({@link #COPY_MARK}), which
 * then puts them all above every other property source ({@link #copySettingsSource()}): SPRING_APPLICATION_JSON, which
 * the copy inherits, outranks system properties. Options the copy cannot repeat, those that open a fixed port, are
 * refused ({@link #refuseFixedPorts}).
 */
final class DaemonCommand {

    /** The descriptor at which the copy gets the pipe's write end. */
    static final int NOTIFY_FD = 3;

    /**
     * The system property that marks the copy. The copy reads it with {@link System#getProperty}, never through
     * Boot's environment, so no property source can unset it; it is not inherited by the copy's own children.
     */
    static final String COPY_MARK = "tokenpipe.daemon.copy";

    /** What the copy is told, whatever the launcher was given. */
    static final List<String> COPY_SETTINGS = List.of(COPY_MARK + "=true", "tokenpipe.daemon.wait=false",
            "tokenpipe.enabled=true", "tokenpipe.notify.fd=" + NOTIFY_FD, "tokenpipe.notify.ready-token=1",
            "tokenpipe.notify.failure-token=0");

    /** The name of the property source in which the copy puts the {@link #COPY_SETTINGS} above all others. */
    static final String COPY_SETTINGS_SOURCE = "tokenpipeDaemonCopy";

    private final String java;

    private final List<String> jvmOptions;

    private final String classPath;

    private final String mainClassOrJar;

    private final boolean jar;

    private final List<String> args;

    /**
     * A command for a copy of a JVM.
     * @param java the java launcher
     * @param jvmOptions the JVM options as the JVM got them
     * @param classPath the class path ({@code java.class.path})
     * @param mainClassOrJar the main class, or the jar given to {@code -jar}
     * @param jar whether {@code mainClassOrJar} is a jar
     * @param args the application's arguments
     */
    DaemonCommand(String java, List<String> jvmOptions, String classPath, String mainClassOrJar, boolean jar,
            List<String> args) {
        this.java = java;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classPath = classPath;
        this.mainClassOrJar = mainClassOrJar;
        this.jar = jar;
        this.args = List.copyOf(args);
    }

    /**
     * The command of this JVM.
     * @param args the arguments the application passed to {@code SpringApplication.run}
     * @param mainApplicationClass the class whose {@code main} runs the application, as Boot deduced it, or null
     * @return the command
     * @throws IllegalStateException when this JVM was started in a way a copy cannot repeat (a module launch)
     */
    static DaemonCommand ofThisJvm(String[] args, @Nullable Class<?> mainApplicationClass) {
        return of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                JvmOptionVariables.commandLineOptions(ManagementFactory.getRuntimeMXBean().getInputArguments(),
                        System.getenv("JAVA_TOOL_OPTIONS"), System.getenv("JDK_JAVA_OPTIONS"),
                        System.getenv("_JAVA_OPTIONS")),
                System.getProperty("java.class.path", ""), System.getProperty("sun.java.command", ""), args,
                mainApplicationClass);
    }

    /**
     * The command of a JVM described by its launcher's facts.
     * @param java the java launcher
     * @param jvmOptions its JVM options
     * @param classPath its {@code java.class.path}
     * @param javaCommand its {@code sun.java.command}: the main class or the jar, then the arguments, joined by
     * spaces
     * @param args the arguments the application passed to {@code SpringApplication.run}
     * @param mainApplicationClass the class whose {@code main} runs the application, or null
     * @return the command
     * @throws IllegalStateException for a launch a copy cannot repeat (a module launch, no main class known)
     */
    static DaemonCommand of(String java, List<String> jvmOptions, String classPath, String javaCommand, String[] args,
            @Nullable Class<?> mainApplicationClass) {
        String command = javaCommand.strip();
        if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator) && command.startsWith(classPath)) {
            return new DaemonCommand(java, jvmOptions, classPath, classPath, true, Arrays.asList(args)); // java -jar
        }
        String first = command.isEmpty() ? "" : command.split(" ", 2)[0];
        if (first.endsWith(".jar") && Files.isRegularFile(Path.of(first))) {
            // java -jar, where java.class.path was changed since (a test runner's booter jar does that)
            return new DaemonCommand(java, jvmOptions, classPath, first, true, Arrays.asList(args));
        }
        String mainClass = first.isEmpty() && mainApplicationClass != null ? mainApplicationClass.getName() : first;
        if (mainClass.isEmpty() || mainClass.contains("/")) {
            throw new IllegalStateException("daemon mode repeats a java -jar or java -cp launch, but this JVM was"
                    + " started as '" + command + "' (a module launch, or no main class known)");
        }
        return new DaemonCommand(java, jvmOptions, classPath, mainClass, false, Arrays.asList(args));
    }

    /**
     * Refuses daemon mode when this JVM has an option that opens a fixed port, which the copy could not repeat
     * ({@link FixedPortOptions}).
     * @param environment the launcher's environment, for the origin of {@code tokenpipe.daemon.wait}
     * @throws InvalidTokenPipePropertyException naming the option and what to do instead
     */
    static void refuseFixedPorts(Environment environment) {
        FixedPortOptions.refuse(ManagementFactory.getRuntimeMXBean().getInputArguments(), environment);
    }

    /**
     * Whether this JVM is daemon mode's copy, as its launcher marked it.
     * @return true when the system property {@link #COPY_MARK} is {@code true}
     */
    static boolean isCopy() {
        return "true".equals(System.getProperty(COPY_MARK));
    }

    /**
     * The {@link #COPY_SETTINGS} as a property source for the copy to put first. As system properties they are
     * outranked by SPRING_APPLICATION_JSON, {@code spring.application.json} and command-line arguments: first in the
     * environment, nothing can switch daemon mode back on in the copy (a copy launching copies without end) or swap
     * the tokens its launcher reads.
     * @return the source
     */
    static MapPropertySource copySettingsSource() {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (String setting : COPY_SETTINGS) {
            int equals = setting.indexOf('=');
            settings.put(setting.substring(0, equals), setting.substring(equals + 1));
        }
        return new MapPropertySource(COPY_SETTINGS_SOURCE, settings);
    }

    /**
     * Whether this JVM runs from a jar given to {@code -jar}.
     * @return true for {@code java -jar}
     */
    boolean isJar() {
        return this.jar;
    }

    /**
     * The copy's command line.
     * @return {@code java <options> -D<settings> (-jar <jar> | -cp <class path> <main class>) <arguments>}
     */
    List<String> copy() {
        List<String> command = new ArrayList<>();
        command.add(this.java);
        for (String option : this.jvmOptions) {
            if (!option.startsWith("-D") || !isCopySetting(option.substring(2))) {
                command.add(option);
            }
        }
        for (String setting : COPY_SETTINGS) {
            command.add("-D" + setting);
        }
        if (this.jar) {
            command.add("-jar");
            command.add(this.mainClassOrJar);
        }
        else {
            command.add("-cp");
            command.add(this.classPath);
            command.add(this.mainClassOrJar);
        }
        for (String arg : this.args) {
            if (!arg.startsWith("--") || !isCopySetting(arg.substring(2))) {
                command.add(arg);
            }
        }
        return command;
    }

    /** Whether "name" or "name=value" sets one of the {@link #COPY_SETTINGS}, in any of Boot's relaxed forms. */
    private static boolean isCopySetting(String assignment) {
        String name = canonical(assignment);
        return COPY_SETTINGS.stream().anyMatch((setting) -> canonical(setting).equals(name));
    }

    /** "tokenpipe.notify.readytoken" for tokenpipe.notify.ready-token=1, ...readyToken, ...READY_TOKEN. */
    private static String canonical(String assignment) {
        int equals = assignment.indexOf('=');
        String name = (equals >= 0) ? assignment.substring(0, equals) : assignment;
        return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
    }

}
