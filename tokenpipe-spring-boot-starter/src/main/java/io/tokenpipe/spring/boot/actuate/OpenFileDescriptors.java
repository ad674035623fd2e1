package io.tokenpipe.spring.boot.actuate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts this process's open file descriptors without native code. */
final class OpenFileDescriptors {

    /** Linux lists them in /proc/self/fd; macOS and the BSDs in /dev/fd. */
    private static final Path[] DIRECTORIES = { Path.of("/proc/self/fd"), Path.of("/dev/fd") };

    private OpenFileDescriptors() {
    }

    /**
     * The number of descriptors this process has open now.
     * @return the count, or -1 where neither /proc/self/fd nor /dev/fd can be listed (Windows)
     */
    static long count() {
        for (Path directory : DIRECTORIES) {
            if (Files.isDirectory(directory)) {
                try (Stream<Path> entries = Files.list(directory)) {
                    return entries.count() - 1; // the directory being listed is open while it is listed
                }
                catch (IOException | SecurityException ex) {
                    // try the next place
                }
            }
        }
        return -1;
    }

}
