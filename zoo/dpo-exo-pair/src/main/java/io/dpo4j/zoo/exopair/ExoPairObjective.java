package io.dpo4j.zoo.exopair;

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
 * EXO, pairwise (K = 2): Ji et al. 2024, "Towards Efficient Exact Optimization of Language Model
 * Alignment", arXiv:2402.00856, Eq. 16; TRL's {@code loss_type="exo_pair"}. The reverse KL from the
 * model's preference distribution to the label-smoothed one:
 *
 * <pre>
 * x    = β·h,  qw = σ(x),  ql = σ(−x)
 * loss = mean_i [ qw·(logσ(x) − log(1−ε)) + ql·(logσ(−x) − log ε) ]  = KL((qw, ql) ‖ (1−ε, ε))
 * </pre>
 *
 * Parameters: {@code beta} = 0.1 (&gt; 0), {@code label_smoothing} ε = 1e-3 (in (0, 0.5), the paper's
 * recommendation). ε = 0 is a configuration error, because log 0 is undefined (TRL ≥ 0.29 raises;
 * old TRL silently used 1e-3). The loss is ≥ 0 and minimal at x = log((1−ε)/ε) (≈ 6.9 at ε = 1e-3):
 * beyond it, raising πw raises the loss. Stable form: {@code log(1−ε)} as {@code log1p(−ε)}, the
 * log terms as logσ and the weights as σ, so that no 0·(−∞) appears at large |x|.
 */
public final class ExoPairObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "exo_pair";

    public ExoPairObjective() {
        super(ID, "EXO, pairwise: reverse KL from the model's preference to the smoothed label (Ji et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward β·(π − r)"),
                Hyperparameter.real("label_smoothing", 1e-3, new Range(0, false, 0.5, false),
                        "ε: the label noise the target distribution allows; 0 is undefined (log 0)"));
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
        private final double logKeep;
        private final double logFlip;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED));
            this.beta = p.real("beta");
            double eps = p.real("label_smoothing");
            this.logKeep = Math.log1p(-eps);
            this.logFlip = Math.log(eps);
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            LogRatios r = LogRatios.of(s);
            NDArray x = Scalars.mul(r.margin(), beta);
            NDArray chosenTerm = ObjectiveMath.sigmoid(x).mul(ObjectiveMath.logSigmoid(x).sub(logKeep));
            NDArray rejectedTerm = ObjectiveMath.sigmoid(x.neg()).mul(ObjectiveMath.logSigmoid(x.neg()).sub(logFlip));
            NDArray loss = chosenTerm.add(rejectedTerm).mean();
            Map<String, Double> metrics = r.metrics(loss, beta);
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
