package io.tokenpipe.spring.boot;

import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Prints, one a line, this JVM's input arguments ({@code input <argument>}) and the JVM options daemon mode would
 * give its copy ({@code copy <option>}): what the JVM made of JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS and _JAVA_OPTIONS
 * beside what {@link DaemonCommand} makes of them.
 */
public final class InputArgumentsChild {

    private InputArgumentsChild() {
    }

    public static void main(String[] args) {
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            System.out.println("input " + argument);
        }
        List<String> copy = DaemonCommand.ofThisJvm(args, InputArgumentsChild.class).copy();
        // the copy's JVM options: after its java, before the settings daemon mode adds
        for (String option : copy.subList(1, copy.indexOf("-D" + DaemonCommand.COPY_SETTINGS.get(0)))) {
            System.out.println("copy " + option);
        }
    }

}
