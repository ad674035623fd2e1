package io.tokenpipe.demo.worker;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A word -> documents index, the worker's preparation work: for every word, the ids of the documents that
 * contain it, in the order they were added. Not thread-safe: one thread builds it, then only reads it.
 */
final class InvertedIndex {

    private final Map<String, Postings> postings = new HashMap<>();

    private long postingCount;

    private int documents;

    /** Adds document {@code id} (ids must be added in increasing order) with its words. */
    void add(int id, String[] words) {
        for (String word : words) {
            Postings list = postings.computeIfAbsent(word, w -> new Postings());
            if (list.add(id)) {
                postingCount++;
            }
        }
        documents++;
    }

    /** How many documents were added. */
    int documents() {
        return documents;
    }

    /** How many distinct words the documents hold. */
    int distinctWords() {
        return postings.size();
    }

    /** How many (word, document) pairs the index holds. */
    long postings() {
        return postingCount;
    }

    /** How many documents contain {@code word}; 0 for a word the index does not know. */
    int documentsWith(String word) {
        Postings list = postings.get(word);
        return list == null ? 0 : list.size;
    }

    /** The word contained in the most documents, or null when the index is empty. */
    String mostCommonWord() {
        String best = null;
        int bestSize = -1;
        for (Map.Entry<String, Postings> entry : postings.entrySet()) {
            if (entry.getValue().size > bestSize || (entry.getValue().size == bestSize && entry.getKey().compareTo(best) < 0)) {
                best = entry.getKey();
                bestSize = entry.getValue().size;
            }
        }
        return best;
    }

    /** A growing array of document ids, without repeats of the last one. */
    private static final class Postings {
        int[] ids = new int[4];
        int size;

        boolean add(int id) {
            if (size > 0 && ids[size - 1] == id) {
                return false; // the word occurs again in the same document
            }
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
            return true;
        }
    }

}
