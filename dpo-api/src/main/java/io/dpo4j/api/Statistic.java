package io.dpo4j.api;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A per-sequence statistic that the log-prob kernel (or a test, or {@code dpo loss}) hands to an
 * objective. Each is a vector with one entry per pair (paired layout) or per example (unpaired).
 *
 * <p>Log-probabilities are sums over <em>response</em> tokens only and are therefore {@code <= 0}.
 * Token counts are at least 1. {@link #DESIRABLE} holds 1 for desirable and 0 for undesirable.
 * The {@code KL_*} statistics are log-probs of mismatched (prompt, completion) pairs that KTO uses
 * for its reference point; they carry no gradient.
 */
public enum Statistic {
    POLICY_CHOSEN("policy_chosen", DataLayout.PAIRED, Kind.POLICY_LOGP),
    POLICY_REJECTED("policy_rejected", DataLayout.PAIRED, Kind.POLICY_LOGP),
    REFERENCE_CHOSEN("reference_chosen", DataLayout.PAIRED, Kind.REFERENCE_LOGP),
    REFERENCE_REJECTED("reference_rejected", DataLayout.PAIRED, Kind.REFERENCE_LOGP),
    CHOSEN_TOKENS("chosen_tokens", DataLayout.PAIRED, Kind.TOKEN_COUNT),
    REJECTED_TOKENS("rejected_tokens", DataLayout.PAIRED, Kind.TOKEN_COUNT),

    POLICY("policy", DataLayout.UNPAIRED, Kind.POLICY_LOGP),
    REFERENCE("reference", DataLayout.UNPAIRED, Kind.REFERENCE_LOGP),
    TOKENS("tokens", DataLayout.UNPAIRED, Kind.TOKEN_COUNT),
    DESIRABLE("desirable", DataLayout.UNPAIRED, Kind.LABEL),
    KL_POLICY("kl_policy", DataLayout.UNPAIRED, Kind.KL_LOGP),
    KL_REFERENCE("kl_reference", DataLayout.UNPAIRED, Kind.KL_LOGP);

    /** What a statistic measures, which decides who computes it and whether gradient flows. */
    public enum Kind {
        /** Summed response log-prob under the policy being trained: the only trainable kind. */
        POLICY_LOGP,
        /** Summed response log-prob under the frozen reference model. */
        REFERENCE_LOGP,
        /** Number of response tokens (>= 1). */
        TOKEN_COUNT,
        /** 1 for desirable, 0 for undesirable. */
        LABEL,
        /** Log-prob of a mismatched (prompt, completion) pair, computed without gradient. */
        KL_LOGP
    }

    private final String key;
    private final DataLayout layout;
    private final Kind kind;

    Statistic(String key, DataLayout layout, Kind kind) {
        this.key = key;
        this.layout = layout;
        this.kind = kind;
    }

    /** The snake_case name used in JSON files and messages. */
    public String key() {
        return key;
    }

    /** The layout this statistic belongs to. */
    public DataLayout layout() {
        return layout;
    }

    /** What the statistic measures. */
    public Kind kind() {
        return kind;
    }

    /** True for policy log-probs: the statistics gradients are taken with respect to. */
    public boolean isTrainable() {
        return kind == Kind.POLICY_LOGP;
    }

    /** True for reference-model log-probs (including the reference side of the KL pairs). */
    public boolean isReference() {
        return kind == Kind.REFERENCE_LOGP || this == KL_REFERENCE;
    }

    /** Every statistic of one layout, in declaration order. */
    public static Set<Statistic> of(DataLayout layout) {
        EnumSet<Statistic> set = EnumSet.noneOf(Statistic.class);
        for (Statistic s : values()) {
            if (s.layout == layout) {
                set.add(s);
            }
        }
        return set;
    }

    /** Looks a statistic up by its snake_case key. */
    public static Optional<Statistic> byKey(String key) {
        return Arrays.stream(values()).filter(s -> s.key.equals(key)).findFirst();
    }
}
