package io.dpo4j.core.synthetic;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The word lists of the controlled-sentiment language and the sentiment value of each word. The
 * ground-truth reward ({@link SentimentReward}) reads only this lexicon, so it is defined for any
 * sequence of words, including text a model generates.
 */
public final class SentimentLexicon {

    /** Things a review talks about. */
    public static final List<String> NOUNS = List.of("movie", "film", "plot", "acting", "music", "ending", "cast",
            "story", "script", "effects", "dialogue", "director");

    /** Adjectives with their sentiment value. */
    public static final Map<String, Double> ADJECTIVES = ordered(
            "great", 2.0, "wonderful", 2.0, "brilliant", 2.0, "good", 1.0, "fun", 1.0, "nice", 1.0, "clever", 1.0,
            "moving", 1.0, "terrible", -2.0, "awful", -2.0, "boring", -2.0, "bad", -1.0, "dull", -1.0, "weak", -1.0,
            "slow", -1.0, "silly", -1.0, "long", 0.0, "short", 0.0, "loud", 0.0, "ok", 0.0, "strange", 0.0);

    /** Verbs of "i VERB the NOUN" with their sentiment value. */
    public static final Map<String, Double> VERBS = ordered(
            "loved", 2.0, "liked", 1.0, "enjoyed", 1.0, "admired", 1.0, "hated", -2.0, "disliked", -1.0,
            "regretted", -1.0, "watched", 0.0, "saw", 0.0, "remember", 0.0);

    /** Intensifiers: multiply the value of the sentiment word right after them. */
    public static final Map<String, Double> INTENSIFIERS = ordered("very", 1.5, "really", 1.5, "quite", 1.2,
            "somewhat", 0.5);

    /** The negation: flips (and damps) the sentiment of the next sentiment word within two words. */
    public static final String NEGATION = "not";
    /** Factor a negation applies. */
    public static final double NEGATION_FACTOR = -0.8;

    /** Connectives between sentences. */
    public static final List<String> CONNECTIVES = List.of("and", "but", "so", "also");

    /** Function words of the grammar. */
    public static final List<String> FUNCTION_WORDS = List.of("the", "was", "were", "i", "it", "is");

    private SentimentLexicon() {
    }

    /** The sentiment value of a word (adjective or verb), or 0. */
    public static double value(String word) {
        Double v = ADJECTIVES.get(word);
        if (v == null) {
            v = VERBS.get(word);
        }
        return v == null ? 0 : v;
    }

    /** Every word of the language, in a fixed order. */
    public static List<String> vocabulary() {
        java.util.LinkedHashSet<String> words = new java.util.LinkedHashSet<>();
        words.addAll(FUNCTION_WORDS);
        words.addAll(NOUNS);
        words.addAll(ADJECTIVES.keySet());
        words.addAll(VERBS.keySet());
        words.addAll(INTENSIFIERS.keySet());
        words.add(NEGATION);
        words.addAll(CONNECTIVES);
        return List.copyOf(words);
    }

    private static Map<String, Double> ordered(Object... kv) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (Double) kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
