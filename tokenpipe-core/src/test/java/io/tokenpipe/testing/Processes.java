package io.tokenpipe.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What /proc says about processes: state, parent, session, signal masks, zombies. */
public final class Processes {
    private Processes() {
    }

    /** The fields of /proc/pid/stat after the command name: [0] state, [1] ppid, [2] pgrp, [3] session...; null if gone. */
    public static String[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    /** A "Name:\tvalue" line of /proc/pid/status, or null if the process is gone. */
    public static String status(long pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(name + ":")) {
                    return line.substring(name.length() + 1).trim();
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The Threads: of /proc/pid/status; 0 once the process is gone. */
    public static int threads(long pid) {
        String threads = status(pid, "Threads");
        return threads != null ? Integer.parseInt(threads) : 0;
    }

    /** The pids of the zombie children of this JVM. */
    public static List<Long> zombieChildren() {
        long self = ProcessHandle.current().pid();
        List<Long> zombies = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.map(path -> path.getFileName().toString()).filter(name -> name.matches("\\d+")).forEach(name -> {
                String[] fields = stat(Long.parseLong(name));
                if (fields != null && fields[0].equals("Z") && Long.parseLong(fields[1]) == self) {
                    zombies.add(Long.parseLong(name));
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return zombies;
    }

    /** Whether process pid exists and is not a zombie (still running or sleeping). */
    public static boolean isRunning(long pid) {
        String[] fields = stat(pid);
        return fields != null && !fields[0].equals("Z") && !fields[0].equals("X");
    }
}
