package io.dpo4j.core.synthetic;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A word-level grammar of short movie reviews, one to three sentences joined by connectives:
 *
 * <pre>
 * S1: the NOUN was [not] [INTENSIFIER] ADJECTIVE
 * S2: i VERB the NOUN
 * S3: the NOUN and the NOUN were [INTENSIFIER] ADJECTIVE
 * S4: it is [not] [INTENSIFIER] ADJECTIVE
 * review: S (CONNECTIVE S){0,2}
 * </pre>
 *
 * Words are drawn uniformly, so sentiment is mixed: a model fine-tuned on these reviews is a
 * policy that "speaks the language" without preferring either sentiment. Generation records its
 * random choices, so a review can be continued differently after any word ({@link #continuation}),
 * which is how two completions of one prompt are drawn. Deterministic for a seed.
 */
public final class ReviewGrammar {

    private static final List<String> ADJECTIVES = List.copyOf(SentimentLexicon.ADJECTIVES.keySet());
    private static final List<String> VERBS = List.copyOf(SentimentLexicon.VERBS.keySet());
    private static final List<String> INTENSIFIERS = List.copyOf(SentimentLexicon.INTENSIFIERS.keySet());

    private final double[] sentenceCountWeights;

    /** The default grammar: one sentence 40%, two 40%, three 20% of the time. */
    public ReviewGrammar() {
        this(new double[] {0.4, 0.4, 0.2});
    }

    /**
     * A grammar with the given distribution of sentence counts.
     *
     * @param sentenceCountWeights weights of 1, 2, 3, … sentences per review
     */
    public ReviewGrammar(double[] sentenceCountWeights) {
        if (sentenceCountWeights.length == 0) {
            throw new IllegalArgumentException("at least one sentence count");
        }
        this.sentenceCountWeights = sentenceCountWeights.clone();
    }

    /**
     * A sampled review: its words and, for each word, how many random choices had been made when it
     * was emitted (replaying that many choices reproduces the review up to that word).
     */
    public record Review(List<String> words, List<Double> choices, int[] choicesAtWord) {

        /** The review as text. */
        public String text() {
            return String.join(" ", words);
        }

        /** The first {@code k} words as text. */
        public String prefix(int k) {
            return String.join(" ", words.subList(0, k));
        }
    }

    /** A whole review as text. */
    public String review(Random rng) {
        return sample(rng).text();
    }

    /** A whole review with its choice record. */
    public Review sample(Random rng) {
        return generate(new Choices(rng, List.of()));
    }

    /**
     * The words after the first {@code k} of a review generated with the same choices up to word
     * {@code k} and fresh ones after: another completion of the prompt {@code review.prefix(k)}.
     */
    public String continuation(Review review, int k, Random rng) {
        List<Double> replay = review.choices().subList(0, review.choicesAtWord()[k - 1]);
        Review other = generate(new Choices(rng, replay));
        return String.join(" ", other.words().subList(k, other.words().size()));
    }

    private Review generate(Choices c) {
        Emitter out = new Emitter(c);
        int sentences = 1 + c.pick(sentenceCountWeights);
        for (int i = 0; i < sentences; i++) {
            if (i > 0) {
                out.word(c.any(SentimentLexicon.CONNECTIVES));
            }
            sentence(c, out);
        }
        return new Review(List.copyOf(out.words), List.copyOf(c.record), out.counts.stream()
                .mapToInt(Integer::intValue).toArray());
    }

    private static void sentence(Choices c, Emitter out) {
        switch (c.index(4)) {
            case 0 -> {
                out.word("the");
                out.word(c.any(SentimentLexicon.NOUNS));
                out.word("was");
                modifiers(c, out, true);
                out.word(c.any(ADJECTIVES));
            }
            case 1 -> {
                out.word("i");
                out.word(c.any(VERBS));
                out.word("the");
                out.word(c.any(SentimentLexicon.NOUNS));
            }
            case 2 -> {
                out.word("the");
                out.word(c.any(SentimentLexicon.NOUNS));
                out.word("and");
                out.word("the");
                out.word(c.any(SentimentLexicon.NOUNS));
                out.word("were");
                modifiers(c, out, false);
                out.word(c.any(ADJECTIVES));
            }
            default -> {
                out.word("it");
                out.word("is");
                modifiers(c, out, true);
                out.word(c.any(ADJECTIVES));
            }
        }
    }

    private static void modifiers(Choices c, Emitter out, boolean allowNegation) {
        if (allowNegation && c.uniform() < 0.2) {
            out.word(SentimentLexicon.NEGATION);
        }
        if (c.uniform() < 0.35) {
            out.word(c.any(INTENSIFIERS));
        }
    }

    /** Random choices in [0, 1), replayed from a record first, then drawn fresh and recorded. */
    private static final class Choices {
        private final Random rng;
        private final List<Double> replay;
        private final List<Double> record = new ArrayList<>();

        Choices(Random rng, List<Double> replay) {
            this.rng = rng;
            this.replay = replay;
        }

        double uniform() {
            double u = record.size() < replay.size() ? replay.get(record.size()) : rng.nextDouble();
            record.add(u);
            return u;
        }

        int index(int n) {
            return Math.min(n - 1, (int) (uniform() * n));
        }

        String any(List<String> words) {
            return words.get(index(words.size()));
        }

        int pick(double[] weights) {
            double total = 0;
            for (double w : weights) {
                total += w;
            }
            double u = uniform() * total;
            for (int i = 0; i < weights.length; i++) {
                u -= weights[i];
                if (u < 0) {
                    return i;
                }
            }
            return weights.length - 1;
        }
    }

    /** Collects words and the number of choices made when each was emitted. */
    private static final class Emitter {
        private final Choices choices;
        private final List<String> words = new ArrayList<>();
        private final List<Integer> counts = new ArrayList<>();

        Emitter(Choices choices) {
            this.choices = choices;
        }

        void word(String w) {
            words.add(w);
            counts.add(choices.record.size());
        }
    }
}
