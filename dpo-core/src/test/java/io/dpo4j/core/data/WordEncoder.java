package io.dpo4j.core.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trivial word-level {@link TokenEncoder} for tests: words are split on whitespace and numbered in
 * order of first sight, after the reserved ids 0 (pad) and 1 (EOS).
 */
final class WordEncoder implements TokenEncoder {

    static final int PAD = 0;
    static final int EOS = 1;

    private final Map<String, Integer> vocabulary = new LinkedHashMap<>();

    /** The id of a word, numbering it when new. */
    synchronized int id(String word) {
        return vocabulary.computeIfAbsent(word, w -> vocabulary.size() + 2);
    }

    @Override
    public int[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        for (String word : text.trim().split("\\s+")) {
            if (!word.isEmpty()) {
                ids.add(id(word));
            }
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The ids of several words. */
    int[] ids(String... words) {
        int[] out = new int[words.length];
        for (int i = 0; i < words.length; i++) {
            out[i] = id(words[i]);
        }
        return out;
    }

    @Override
    public int eosTokenId() {
        return EOS;
    }

    @Override
    public int vocabularySize() {
        return 1_000_000;
    }
}
