package io.dpo4j.ipo;

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
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.api.math.StandardMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Identity Preference Optimisation (Azar et al. 2023, "A General Theoretical Paradigm to
 * Understand Learning from Human Preferences", arXiv:2310.12036): a squared loss that regresses the
 * log-ratio gap onto {@code 1/(2β)} instead of pushing it to infinity, so it does not overfit
 * deterministic preferences:
 *
 * <pre>
 * h    = (πw − rw)/nw − (πl − rl)/nl      if length_normalized (default, as TRL and the IPO authors)
 * h    = (πw − rw)    − (πl − rl)         otherwise (as the original DPO repository)
 * loss = mean_i (h − 1/(2β))²
 * </pre>
 *
 * Parameters: {@code beta} β = 0.1 (&gt; 0; τ in the paper), {@code length_normalized} = true.
 */
public final class IpoObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "ipo";

    public IpoObjective() {
        super(ID, "Identity Preference Optimisation: squared loss towards a 1/(2β) gap (Azar et al. 2023)",
                Hyperparameter.real("beta", 0.1, Range.positive(),
                        "β (τ in the paper): regularisation; the target log-ratio gap is 1/(2β)"),
                Hyperparameter.flag("length_normalized", true,
                        "divide each log-ratio by its response's token count (TRL and the IPO authors)"));
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
        private final boolean lengthNormalized;

        Configured(Hyperparameters p) {
            super(ID, p, p.flag("length_normalized")
                    ? ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                            Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED, Statistic.CHOSEN_TOKENS,
                            Statistic.REJECTED_TOKENS)
                    : ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                            Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED));
            this.beta = p.real("beta");
            this.lengthNormalized = p.flag("length_normalized");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            NDArray pw = s.get(Statistic.POLICY_CHOSEN);
            NDArray pl = s.get(Statistic.POLICY_REJECTED);
            NDArray ratioW = pw.sub(s.get(Statistic.REFERENCE_CHOSEN));
            NDArray ratioL = pl.sub(s.get(Statistic.REFERENCE_REJECTED));
            NDArray h = lengthNormalized
                    ? ratioW.div(s.get(Statistic.CHOSEN_TOKENS)).sub(ratioL.div(s.get(Statistic.REJECTED_TOKENS)))
                    : ratioW.sub(ratioL);
            NDArray loss = h.sub(1 / (2 * beta)).square().mean();
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", ObjectiveMath.scalar(loss));
            metrics.putAll(StandardMetrics.ofLogRatios(beta, pw, pl, ratioW, ratioL, true));
            metrics.put("ipo/gap", StandardMetrics.mean(ObjectiveMath.toDoubles(h)));
            metrics.put("ipo/target_gap", 1 / (2 * beta));
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
