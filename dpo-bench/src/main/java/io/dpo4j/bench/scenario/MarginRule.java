package io.dpo4j.bench.scenario;

import io.dpo4j.bench.stats.Interval;
import java.util.List;
import java.util.Locale;

/**
 * A verdict rule with an explicit margin δ, applied to the confidence interval of a quantity Δ
 * (usually a paired difference "A − B" where larger is better for A):
 *
 * <ul>
 *   <li><b>superiority</b> (A beats B by more than δ): reproduced when the interval lies above δ,
 *       not reproduced when it lies below δ, inconclusive when it contains δ;</li>
 *   <li><b>non-inferiority</b> (A is not worse than B by more than δ): reproduced when the interval
 *       lies above −δ, not reproduced when it lies below −δ, inconclusive when it contains −δ;</li>
 *   <li><b>equivalence</b> (|Δ| ≤ δ): reproduced when the interval lies inside (−δ, δ), not
 *       reproduced when it lies wholly outside it, inconclusive otherwise.</li>
 * </ul>
 *
 * An interval that cannot be computed (fewer than two seeds, a missing value) is inconclusive.
 *
 * @param kind the kind of claim
 * @param margin δ (&ge; 0), in the quantity's units
 * @param quantity what Δ is, in words (e.g. "true reward at matched KL, ORPO − (SFT + DPO)")
 */
public record MarginRule(Kind kind, double margin, String quantity) {

    /** The kind of claim a rule tests. */
    public enum Kind {
        SUPERIORITY, NON_INFERIORITY, EQUIVALENCE;

        /** Parses {@code superiority}, {@code non_inferiority} or {@code equivalence}. */
        public static Kind parse(String s) {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }

        /** The config spelling. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public MarginRule {
        if (!(margin >= 0)) {
            throw new IllegalArgumentException("a margin must be >= 0, got " + margin);
        }
    }

    /**
     * A rule as a suite file writes it — its kind and margin; the scenario names the quantity.
     *
     * @param kind the kind of claim
     * @param margin δ
     */
    public record Spec(Kind kind, double margin) {

        /** The rule on {@code quantity}. */
        public MarginRule on(String quantity) {
            return new MarginRule(kind, margin, quantity);
        }

        /** {@code {kind: non_inferiority, margin: 0.02}}. */
        @Override
        public String toString() {
            return "{kind: " + kind.key() + ", margin: " + margin + "}";
        }
    }

    /** The verdict for the interval of Δ. */
    public Verdict decide(Interval delta) {
        if (!delta.defined()) {
            return Verdict.INCONCLUSIVE;
        }
        double lo = delta.low();
        double hi = delta.high();
        return switch (kind) {
            case SUPERIORITY -> lo > margin ? Verdict.REPRODUCED : hi < margin ? Verdict.NOT_REPRODUCED
                    : Verdict.INCONCLUSIVE;
            case NON_INFERIORITY -> lo > -margin ? Verdict.REPRODUCED : hi < -margin ? Verdict.NOT_REPRODUCED
                    : Verdict.INCONCLUSIVE;
            case EQUIVALENCE -> lo > -margin && hi < margin ? Verdict.REPRODUCED
                    : lo > margin || hi < -margin ? Verdict.NOT_REPRODUCED : Verdict.INCONCLUSIVE;
        };
    }

    /** The rule in words, as the report prints it before the numbers. */
    public String statement() {
        String d = String.format(Locale.ROOT, "%.3g", margin);
        return switch (kind) {
            case SUPERIORITY -> "superiority: Δ = " + quantity + "; reproduced if the 95% interval of Δ lies above "
                    + d + ", not reproduced if below, inconclusive if it contains " + d;
            case NON_INFERIORITY -> "non-inferiority within δ = " + d + ": Δ = " + quantity
                    + "; reproduced if the 95% interval of Δ lies above −" + d + ", not reproduced if below, "
                    + "inconclusive if it contains −" + d;
            case EQUIVALENCE -> "equivalence within δ = " + d + ": Δ = " + quantity
                    + "; reproduced if the 95% interval of Δ lies inside ±" + d + ", not reproduced if wholly "
                    + "outside, inconclusive otherwise";
        };
    }

    /** One applied rule: the rule, the interval it saw, and its verdict. */
    public record Outcome(MarginRule rule, Interval delta, Verdict verdict) {

        /** "rule → Δ = … → verdict". */
        public String describe(int digits) {
            return rule.statement() + ". Measured Δ = " + delta.formatSigned(digits) + " (" + delta.method() + ") → "
                    + verdict.label();
        }
    }

    /** Applies the rule. */
    public Outcome apply(Interval delta) {
        return new Outcome(this, delta, decide(delta));
    }

    /** Every part must hold: not reproduced if any part is not, else inconclusive if any part is, else reproduced. */
    public static Verdict all(List<Verdict> parts) {
        if (parts.isEmpty()) {
            return Verdict.INCONCLUSIVE;
        }
        if (parts.contains(Verdict.NOT_REPRODUCED)) {
            return Verdict.NOT_REPRODUCED;
        }
        return parts.contains(Verdict.INCONCLUSIVE) ? Verdict.INCONCLUSIVE : Verdict.REPRODUCED;
    }
}
