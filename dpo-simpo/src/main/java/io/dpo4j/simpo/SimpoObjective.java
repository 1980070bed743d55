package io.dpo4j.simpo;

import ai.djl.ndarray.NDArray;
import io.dpo4j.api.AbstractConfiguredObjective;
import io.dpo4j.api.AbstractObjective;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.Hyperparameter;
import io.dpo4j.api.Hyperparameters;
import io.dpo4j.api.ObjectiveRequirements;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.Range;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.math.Losses;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.api.math.Scalars;
import io.dpo4j.api.math.StandardMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SimPO (Meng, Xia and Chen 2024, "SimPO: Simple Preference Optimization with a Reference-Free
 * Reward", arXiv:2405.14734): the implicit reward is the policy's average response log-prob, with a
 * target margin γ, so no reference model is needed and length is normalised away:
 *
 * <pre>
 * z    = β·(πw/nw − πl/nl) − γ
 * loss = mean_i [ −(1−ε)·logσ(z) − ε·logσ(−z) ] + sft_weight · NLL,   NLL = −Σπw / Σnw
 * </pre>
 *
 * Parameters: {@code beta} β = 2.0, {@code gamma} γ = 1.0 (target margin in reward units; the
 * paper's γ/β ≈ 0.5), {@code label_smoothing} ε = 0, {@code sft_weight} = 0. The defaults follow
 * the paper; TRL's CPO trainer defaults differ (β = 0.1, γ = 0.5, SFT term on).
 */
public final class SimpoObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "simpo";

    public SimpoObjective() {
        super(ID, "SimPO: reference-free, length-normalised reward with a target margin (Meng et al. 2024)",
                Hyperparameter.real("beta", 2.0, Range.positive(), "β: scale of the average-log-prob reward"),
                Hyperparameter.real("gamma", 1.0, Range.nonNegative(),
                        "γ: target reward margin between chosen and rejected, in reward units"),
                Hyperparameter.real("label_smoothing", 0.0, Range.closedOpen(0, 0.5),
                        "ε: assumed probability that a preference label is flipped"),
                Hyperparameter.real("sft_weight", 0.0, Range.nonNegative(),
                        "weight of the token-mean NLL of chosen responses added to the loss"));
    }

    @Override
    protected ConfiguredObjective create(Hyperparameters p) {
        return new Configured(p);
    }

    private static final class Configured extends AbstractConfiguredObjective {

        /** A mean of per-row terms given detached batch quantities: the single-pass kernel applies. */
        @Override
        public boolean rowLocalGradient() {
            return true;
        }

        /** The implicit reward's scale: {@code beta}. */
        @Override
        public double rewardScale() {
            return beta;
        }

        private final double beta;
        private final double gamma;
        private final double epsilon;
        private final double sftWeight;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.CHOSEN_TOKENS, Statistic.REJECTED_TOKENS));
            this.beta = p.real("beta");
            this.gamma = p.real("gamma");
            this.epsilon = p.real("label_smoothing");
            this.sftWeight = p.real("sft_weight");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            NDArray pw = s.get(Statistic.POLICY_CHOSEN);
            NDArray pl = s.get(Statistic.POLICY_REJECTED);
            NDArray nw = s.get(Statistic.CHOSEN_TOKENS);
            NDArray avgW = pw.div(nw);
            NDArray avgL = pl.div(s.get(Statistic.REJECTED_TOKENS));
            NDArray z = Scalars.mul(avgW.sub(avgL), beta).sub(gamma);
            NDArray loss = Losses.smoothedLogistic(z, epsilon).mean();
            NDArray nll = null;
            if (sftWeight > 0) {
                nll = Losses.chosenNll(pw, nw);
                loss = loss.add(Scalars.mul(nll, sftWeight));
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", ObjectiveMath.scalar(loss));
            metrics.putAll(StandardMetrics.ofAverages(beta, pw, pl, avgW, avgL));
            if (nll != null) {
                metrics.put("nll_loss", ObjectiveMath.scalar(nll));
            }
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
