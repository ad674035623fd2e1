package io.tokenpipe.spring.boot;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;

/**
 * The command line of daemon mode's detached copy: this JVM's own {@code java}, JVM options (but those the copy reads
 * again from the environment), executable jar or class path and main class, and arguments, without the daemon switch;
 * and, whatever the launcher was given, notification on, at fd 3, with the tokens the launcher reads (swapped tokens
 * would make a failed copy look ready). Those settings go in as system properties, which Boot reads whether or not the
 * application passes its arguments to {@code SpringApplication.run}; the launcher's own arguments and system
 * properties that set them are left out. One of them marks the copy ({@link #COPY_MARK}), which then puts them all
 * above every other property source ({@link #copySettingsSource()}): SPRING_APPLICATION_JSON, which the copy inherits,
 * outranks system properties.
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

    /** The launcher's options that take their value as the next word: it passes them to the JVM as one. */
    private static final Set<String> TWO_WORD_OPTIONS = Set.of("--module-path", "-p", "--upgrade-module-path",
            "--add-modules", "--enable-native-access", "--limit-modules", "--add-exports", "--add-opens",
            "--add-reads", "--patch-module");

    /** The launcher's class path options: they become java.class.path, which is no input argument. */
    private static final Set<String> CLASS_PATH_OPTIONS = Set.of("-cp", "-classpath", "--class-path");

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
                withoutEnvironmentOptions(ManagementFactory.getRuntimeMXBean().getInputArguments(),
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
     * The JVM options without those that came from the environment, which the copy reads again from the
     * environment it inherits. HotSpot puts JAVA_TOOL_OPTIONS first, then come JDK_JAVA_OPTIONS (the java
     * launcher's), the command line's options, and _JAVA_OPTIONS last (HotSpot's again): seen on JDK 17 and 25.
     * @param inputArguments the JVM's input arguments
     * @param toolOptions JAVA_TOOL_OPTIONS, or null
     * @param jdkOptions JDK_JAVA_OPTIONS, or null
     * @param underscoreOptions _JAVA_OPTIONS, or null
     * @return the options of the command line
     */
    static List<String> withoutEnvironmentOptions(List<String> inputArguments, @Nullable String toolOptions,
            @Nullable String jdkOptions, @Nullable String underscoreOptions) {
        List<String> options = new ArrayList<>(inputArguments);
        options.subList(0, matchedAtStart(options, words(toolOptions))).clear();
        options.subList(0, matchedAtStart(options, asTheLauncherPassesThem(words(jdkOptions)))).clear();
        List<String> reversed = new ArrayList<>(options);
        Collections.reverse(reversed);
        List<String> underscoreWords = new ArrayList<>(words(underscoreOptions));
        Collections.reverse(underscoreWords);
        int fromTheEnd = matchedAtStart(reversed, underscoreWords);
        options.subList(options.size() - fromTheEnd, options.size()).clear();
        return options;
    }

    /**
     * The options in a variable, split as HotSpot splits JAVA_TOOL_OPTIONS and _JAVA_OPTIONS and the java launcher
     * JDK_JAVA_OPTIONS (the same rules in both, JDK 17 to 25): words are separated by white space (C's
     * {@code isspace}); single or double quotes, anywhere in a word, keep white space and are removed; there is no
     * escape character. (An unmatched quote stops the JVM from starting.)
     */
    static List<String> words(@Nullable String variable) {
        List<String> words = new ArrayList<>();
        if (variable == null) {
            return words;
        }
        StringBuilder word = null;
        for (int i = 0; i < variable.length(); i++) {
            char c = variable.charAt(i);
            if (c == ' ' || (c >= '\t' && c <= '\r')) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                continue;
            }
            word = (word != null) ? word : new StringBuilder();
            if (c == '"' || c == '\'') {
                int close = variable.indexOf(c, i + 1);
                close = (close >= 0) ? close : variable.length();
                word.append(variable, i + 1, close);
                i = close;
            }
            else {
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }

    /**
     * JDK_JAVA_OPTIONS's words as the java launcher hands them to the JVM (JDK 17 and 25): {@code --add-opens x}
     * as {@code --add-opens=x}, {@code -p x} as {@code --module-path=x}, the class path left out. Not modelled:
     * {@code @argfiles}, which the launcher expands there too, and its own options (such as {@code -showversion}),
     * which it keeps; {@link #matchedAtStart} passes over such words.
     */
    private static List<String> asTheLauncherPassesThem(List<String> words) {
        List<String> options = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            boolean hasValue = i + 1 < words.size();
            if (CLASS_PATH_OPTIONS.contains(word) && hasValue) {
                i++;
            }
            else if (TWO_WORD_OPTIONS.contains(word) && hasValue) {
                options.add(("-p".equals(word) ? "--module-path" : word) + "=" + words.get(++i));
            }
            else if (!word.startsWith("--class-path=")) {
                options.add(word);
            }
        }
        return options;
    }

    /**
     * How many of the first options are {@code expected}'s, in its order: an expected word that is not the next
     * option is one the JVM did not take as an option of its own, and is passed over.
     */
    private static int matchedAtStart(List<String> options, List<String> expected) {
        int matched = 0;
        for (String word : expected) {
            if (matched < options.size() && options.get(matched).equals(word)) {
                matched++;
            }
        }
        return matched;
    }

    /**
     * Refuses daemon mode when this JVM has an option that opens a fixed port: the launcher holds that port until
     * its copy is ready, so the copy, given the same option, could only fail to start.
     * @param environment the launcher's environment, for the origin of {@code tokenpipe.daemon.wait}
     * @throws InvalidTokenPipePropertyException naming the option and what to do instead
     */
    static void refuseFixedPorts(Environment environment) {
        List<String> inputArguments = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (String option : inputArguments) {
            String port = fixedPort(option);
            if (port == null) {
                continue;
            }
            String from = "";
            for (String variable : new String[] { "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS" }) {
                if (from.isEmpty() && words(System.getenv(variable)).contains(option)) {
                    from = " (from " + variable + ", which the copy inherits)";
                }
            }
            boolean debugger = !option.startsWith("-D");
            String action = debugger
                    ? "Give the debugger port 0 (address=0 or host:0: any free port; the copy writes 'Listening for"
                            + " transport dt_socket at address: N' to " + TokenPipeDaemonMode.LOG_FILE_PROPERTY
                            + ", /dev/null unless set), or start the application in the foreground, without "
                            + TokenPipeDaemonMode.WAIT_PROPERTY + ", to debug it at port " + port + "."
                    : "Set it to port 0 (any free port), or leave it out and start the agent in the copy once it is"
                            + " ready: jcmd <pid> ManagementAgent.start jmxremote.port=" + port
                            + " (and your other jmxremote settings, without the com.sun.management. prefix).";
            throw InvalidTokenPipePropertyException.of(TokenPipeDaemonMode.WAIT_PROPERTY, true,
                    "cannot give the detached copy the JVM option '" + option + "'" + from + ": it opens port " + port
                            + ", which this launcher holds until the copy is ready, so the copy would fail to start",
                    action, environment);
        }
    }

    /**
     * The fixed port a JVM option opens, or null: a debugger that listens ({@code -agentlib:jdwp}, {@code -Xrunjdwp}
     * or {@code -agentpath:.../libjdwp.so} with {@code transport=dt_socket}, {@code server=y} and an address whose
     * port is not 0; without an address it takes any free port), or the JMX agent's
     * {@code com.sun.management.jmxremote.port} or {@code .rmi.port} other than 0.
     */
    static @Nullable String fixedPort(String option) {
        for (String property : new String[] { "com.sun.management.jmxremote.port",
                "com.sun.management.jmxremote.rmi.port" }) {
            if (option.startsWith("-D" + property + "=")) {
                String port = option.substring(property.length() + 3).strip();
                return (port.isEmpty() || port.equals("0")) ? null : port;
            }
        }
        String jdwp = null;
        if (option.startsWith("-agentlib:jdwp=")) {
            jdwp = option.substring("-agentlib:jdwp=".length());
        }
        else if (option.startsWith("-Xrunjdwp:")) {
            jdwp = option.substring("-Xrunjdwp:".length());
        }
        else if (option.startsWith("-agentpath:") && option.indexOf('=') > 0) {
            String library = option.substring(0, option.indexOf('='));
            library = library.substring(Math.max(library.lastIndexOf('/'), library.lastIndexOf('\\')) + 1);
            jdwp = library.matches("(lib)?jdwp\\.(so|dylib|dll)") ? option.substring(option.indexOf('=') + 1) : null;
        }
        if (jdwp == null) {
            return null;
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (String setting : jdwp.split(",")) {
            int equals = setting.indexOf('=');
            if (equals > 0) {
                settings.put(setting.substring(0, equals), setting.substring(equals + 1));
            }
        }
        String address = settings.getOrDefault("address", "");
        String port = address.substring(address.lastIndexOf(':') + 1);
        boolean listens = "dt_socket".equals(settings.get("transport")) && "y".equals(settings.get("server"));
        return (listens && !port.isEmpty() && !port.equals("0")) ? port : null;
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
