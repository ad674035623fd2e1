package io.tokenpipe.spring.boot;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * The variables from which the JVM takes options, JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS and _JAVA_OPTIONS: their
 * words, split the way the JVM splits them, and the JVM's input arguments without them. Daemon mode's copy inherits
 * the environment and reads them again, so its command line must not repeat them.
 */
final class JvmOptionVariables {

    /** The launcher's options that take their value as the next word: it passes them to the JVM as one. */
    private static final Set<String> TWO_WORD_OPTIONS = Set.of("--module-path", "-p", "--upgrade-module-path",
            "--add-modules", "--enable-native-access", "--limit-modules", "--add-exports", "--add-opens",
            "--add-reads", "--patch-module");

    /** The launcher's class path options: they become java.class.path, which is no input argument. */
    private static final Set<String> CLASS_PATH_OPTIONS = Set.of("-cp", "-classpath", "--class-path");

    private JvmOptionVariables() {
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
    static List<String> commandLineOptions(List<String> inputArguments, @Nullable String toolOptions,
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

}
