package io.tokenpipe.demo.worker;

import java.util.SplittableRandom;

/**
 * Generated text for the worker to index: documents of words made of syllables, some words far more common
 * than others (as in real text). Deterministic: document {@code id} is always the same.
 */
final class Corpus {

    private static final String[] SYLLABLES = {
        "ka", "to", "ri", "pe", "lo", "mu", "sa", "ne", "di", "fu", "zo", "be", "ta", "ki", "no", "ru",
    };

    private final String[] vocabulary;

    private final int wordsPerDocument;

    /**
     * @param vocabularySize how many distinct words may occur
     * @param wordsPerDocument how many words each document has
     */
    Corpus(int vocabularySize, int wordsPerDocument) {
        this.vocabulary = new String[vocabularySize];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < vocabularySize; i++) {
            StringBuilder word = new StringBuilder();
            int syllables = 2 + random.nextInt(3);
            for (int s = 0; s < syllables; s++) {
                word.append(SYLLABLES[random.nextInt(SYLLABLES.length)]);
            }
            vocabulary[i] = word.toString();
        }
        this.wordsPerDocument = wordsPerDocument;
    }

    /** The words of document {@code id}. */
    String[] document(int id) {
        SplittableRandom random = new SplittableRandom(id * 0x9E3779B97F4A7C15L);
        String[] words = new String[wordsPerDocument];
        for (int i = 0; i < words.length; i++) {
            double skew = random.nextDouble();
            words[i] = vocabulary[(int) (vocabulary.length * skew * skew)]; // low indexes are common
        }
        return words;
    }

    /** Word {@code index} of the vocabulary (0 is the most common), for queries. */
    String word(int index) {
        return vocabulary[Math.floorMod(index, vocabulary.length)];
    }

}
