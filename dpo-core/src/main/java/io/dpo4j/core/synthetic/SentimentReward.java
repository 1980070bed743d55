package io.dpo4j.core.synthetic;

import java.util.Locale;

/**
 * The programmatic ground-truth reward of the controlled-sentiment language: a lexicon sentiment
 * score mapped to [0, 1].
 *
 * <pre>
 * S(text) = Σ over sentiment words w (adjectives and verbs of {@link SentimentLexicon})
 *             value(w) · m(w) · n(w)
 *   m(w)   = the intensifier's factor when the word right before w is one ("very" 1.5, "quite" 1.2, …), else 1
 *   n(w)   = −0.8 when "not" is one or two words before w, else 1
 * reward = σ(S / 2) = 1 / (1 + e^(−S/2))
 * </pre>
 *
 * Unknown words score 0, so the reward is defined for any text, including what a model samples.
 * A neutral review scores 0.5; "the movie was very great" scores σ(1.5) ≈ 0.82.
 */
public final class SentimentReward {

    private SentimentReward() {
    }

    /** The raw lexicon score S of a whitespace-separated text. */
    public static double score(String text) {
        String[] words = text.trim().toLowerCase(Locale.ROOT).split("\\s+");
        double s = 0;
        for (int i = 0; i < words.length; i++) {
            double v = SentimentLexicon.value(words[i]);
            if (v == 0) {
                continue;
            }
            if (i >= 1) {
                Double m = SentimentLexicon.INTENSIFIERS.get(words[i - 1]);
                if (m != null) {
                    v *= m;
                }
            }
            boolean negated = (i >= 1 && words[i - 1].equals(SentimentLexicon.NEGATION))
                    || (i >= 2 && words[i - 2].equals(SentimentLexicon.NEGATION));
            if (negated) {
                v *= SentimentLexicon.NEGATION_FACTOR;
            }
            s += v;
        }
        return s;
    }

    /** The reward in [0, 1]: {@code σ(S / 2)}. */
    public static double reward(String text) {
        return 1 / (1 + Math.exp(-score(text) / 2));
    }
}
