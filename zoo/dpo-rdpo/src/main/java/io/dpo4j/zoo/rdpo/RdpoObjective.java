package io.dpo4j.zoo.rdpo;

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
import io.dpo4j.api.math.LogRatios;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.api.math.Scalars;
import java.util.List;
import java.util.Map;

/**
 * R-DPO: Park et al. 2024, "Disentangling Length from Quality in Direct Preference Optimization",
 * arXiv:2403.19159. DPO whose Bradley–Terry margin gains a length term:
 *
 * <pre>
 * loss = mean_i −logσ( β·h_i + α·(nw_i − nl_i) )           n: response token counts
 * </pre>
 *
 * Sign: +α·(nw − nl). The length-regularised objective max E[r − α|y|] − β·KL gives the implicit
 * reward β·log(π/π_ref) + α|y|, so when the chosen response is longer part of the preference is
 * explained by length and the policy is pushed less (SimPO's Table 3 lists R-DPO the same way). α is
 * not multiplied by β; α = 0 is DPO. TRL has no R-DPO. Parameters: {@code beta} = 0.1 (&gt; 0),
 * {@code alpha} = 0.01 (≥ 0; the paper uses 0.005–0.01 on HH, 0.2–0.5 on TL;DR).
 */
public final class RdpoObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "rdpo";

    public RdpoObjective() {
        super(ID, "R-DPO: DPO with a length regulariser in the margin (Park et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward β·(π − r)"),
                Hyperparameter.real("alpha", 0.01, Range.nonNegative(),
                        "α: weight of the token-count difference nw − nl in the margin (not scaled by β)"));
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
        private final double beta;
        private final double alpha;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED,
                    Statistic.CHOSEN_TOKENS, Statistic.REJECTED_TOKENS));
            this.beta = p.real("beta");
            this.alpha = p.real("alpha");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            LogRatios r = LogRatios.of(s);
            NDArray lengthGap = s.get(Statistic.CHOSEN_TOKENS).sub(s.get(Statistic.REJECTED_TOKENS));
            NDArray z = Scalars.mul(r.margin(), beta).add(Scalars.mul(lengthGap, alpha));
            NDArray loss = ObjectiveMath.logSigmoid(z).neg().mean();
            Map<String, Double> metrics = r.metrics(loss, beta);
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
