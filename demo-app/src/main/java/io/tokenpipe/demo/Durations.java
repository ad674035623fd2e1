package io.tokenpipe.demo;

import java.time.Duration;
import java.util.Locale;

/** Durations as people write them in properties: "30s", "1.5s", "250ms", "2m". */
final class Durations {

    private Durations() {
    }

    /** "2m" or "1m30s" for whole minutes and seconds, "30s", "1.5s", "250ms", "0s". */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return (millis < 1000) ? millis + "ms" : String.format(Locale.ROOT, "%.3fs", millis / 1000.0)
                .replaceAll("0+s$", "s");
        }
        long seconds = millis / 1000;
        if (seconds >= 60) {
            return (seconds / 60) + "m" + ((seconds % 60 != 0) ? (seconds % 60) + "s" : "");
        }
        return seconds + "s";
    }

    /** Elapsed time for log lines: "2.03 s". */
    static String elapsed(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
    }

}
