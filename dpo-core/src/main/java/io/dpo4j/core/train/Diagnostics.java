package io.dpo4j.core.train;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The background chapter's §10 diagnostics, automated: watches the held-out evaluations and warns —
 * once per kind — naming the likely cause and the remedy, when
 * <ol>
 *   <li><b>the implicit-reward margin stays near zero</b>: after three evaluations the mean
 *       log-ratio gap {@code h = margin / β} has never exceeded 0.05 nats — the run is not learning;
 *       β is likely too high (or the learning rate too low);</li>
 *   <li><b>chosen and rejected log-ratios both fall while the margin grows</b>: over the last three
 *       evaluations both log-ratios are negative and decreasing and the margin increasing — the
 *       policy is collapsing on both; β is likely too low;</li>
 *   <li><b>the length of sampled responses grows at every evaluation</b> (at least three increases in
 *       a row, by more than 2% overall) — length exploitation; consider SimPO or length-controlled
 *       data.</li>
 * </ol>
 * Objectives without a log-ratio (ORPO, SimPO) skip the checks that need one.
 */
public final class Diagnostics {

    /** What one held-out evaluation measured (NaN where not available). */
    public record Evaluation(long step, double margin, double logratioChosen, double logratioRejected, double beta,
            double sampledLength) {
    }

    /** The kinds of warning. */
    public enum Kind { MARGIN_NEAR_ZERO, COLLAPSE, LENGTH_GROWTH }

    /** A warning with its cause and remedy. */
    public record Warning(Kind kind, long step, String message) {
    }

    private final List<Evaluation> history = new ArrayList<>();
    private final Set<Kind> raised = new LinkedHashSet<>();

    /** Records an evaluation and returns the warnings it newly triggers. */
    public List<Warning> observe(Evaluation e) {
        history.add(e);
        List<Warning> out = new ArrayList<>();
        int n = history.size();
        if (n >= 3 && !raised.contains(Kind.MARGIN_NEAR_ZERO) && Double.isFinite(e.margin()) && e.beta() > 0) {
            double maxGap = history.stream().mapToDouble(x -> x.margin() / x.beta()).max().orElse(0);
            if (maxGap < 0.05) {
                out.add(raise(Kind.MARGIN_NEAR_ZERO, e.step(), String.format(Locale.ROOT,
                        "the implicit-reward margin stays near zero (log-ratio gap %.4f nats after %d evaluations): "
                                + "the policy is not separating chosen from rejected. β (%.3g) is likely too high — the "
                                + "loss saturates — or the learning rate too low; try a smaller beta or a larger lr",
                        maxGap, n, e.beta())));
            }
        }
        if (n >= 3 && !raised.contains(Kind.COLLAPSE)) {
            Evaluation a = history.get(n - 3);
            Evaluation b = history.get(n - 2);
            boolean finite = Double.isFinite(e.logratioChosen()) && Double.isFinite(a.logratioChosen());
            if (finite && e.logratioChosen() < 0 && e.logratioRejected() < 0
                    && e.logratioChosen() < b.logratioChosen() && b.logratioChosen() < a.logratioChosen()
                    && e.logratioRejected() < b.logratioRejected() && b.logratioRejected() < a.logratioRejected()
                    && e.margin() > b.margin() && b.margin() > a.margin()) {
                out.add(raise(Kind.COLLAPSE, e.step(), String.format(Locale.ROOT,
                        "chosen and rejected log-ratios are both falling (%.2f and %.2f nats) while the margin grows: "
                                + "the policy is collapsing on both, only faster on rejected — the early sign of β "
                                + "(%.3g) being too low; try a larger beta, an SFT term (sft_weight), or fewer steps",
                        e.logratioChosen(), e.logratioRejected(), e.beta())));
            }
        }
        if (n >= 4 && !raised.contains(Kind.LENGTH_GROWTH) && Double.isFinite(e.sampledLength())) {
            boolean growing = true;
            for (int i = n - 3; i < n; i++) {
                growing &= history.get(i).sampledLength() > history.get(i - 1).sampledLength();
            }
            double first = history.get(n - 4).sampledLength();
            if (growing && e.sampledLength() > first * 1.02) {
                out.add(raise(Kind.LENGTH_GROWTH, e.step(), String.format(Locale.ROOT,
                        "the mean length of sampled responses grew at every evaluation (%.1f → %.1f tokens): length "
                                + "may be doing the work the preference signal should — consider simpo (length-normalised) "
                                + "or length-controlled data, and early stopping", first, e.sampledLength())));
            }
        }
        return out;
    }

    private Warning raise(Kind kind, long step, String message) {
        raised.add(kind);
        return new Warning(kind, step, message);
    }

    /** Every warning kind raised so far. */
    public Set<Kind> raised() {
        return Set.copyOf(raised);
    }
}
