package io.tokenpipe.spring.boot;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.Environment;

/**
 * The JVM options that open a fixed port, which daemon mode's copy cannot be given: the launcher holds that port
 * until its copy is ready, so the copy, given the same option, could only fail to start.
 */
final class FixedPortOptions {

    private FixedPortOptions() {
    }

    /**
     * Refuses daemon mode when a JVM option opens a fixed port.
     * @param jvmOptions the launcher's JVM options (its input arguments)
     * @param environment the launcher's environment, for the origin of {@code tokenpipe.daemon.wait}
     * @throws InvalidTokenPipePropertyException naming the option and what to do instead
     */
    static void refuse(List<String> jvmOptions, Environment environment) {
        for (String option : jvmOptions) {
            String port = fixedPort(option);
            if (port == null) {
                continue;
            }
            String from = "";
            for (String variable : new String[] { "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS" }) {
                if (from.isEmpty() && JvmOptionVariables.words(System.getenv(variable)).contains(option)) {
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

}
