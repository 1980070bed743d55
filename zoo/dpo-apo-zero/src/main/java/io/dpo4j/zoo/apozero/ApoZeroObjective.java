package io.dpo4j.zoo.apozero;

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
 * APO-zero: D'Oosterlinck et al. 2024, "Anchored Preference Optimization and Contrastive Revisions:
 * Addressing Underspecification in Alignment", arXiv:2408.06266, Eq. 7; TRL's
 * {@code loss_type="apo_zero"}. For chosen responses better than the model's own outputs:
 *
 * <pre>
 * loss = mean_i [ σ(−β·ρw_i) + σ(β·ρl_i) ]       = (1 − σ(βρw)) + σ(βρl),   ρ = π − r
 * </pre>
 *
 * The loss lies in [0, 2]; gradients decay like e^(−|β·gap|) at large gaps. Parameter:
 * {@code beta} = 0.1 (&gt; 0).
 */
public final class ApoZeroObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "apo_zero";

    public ApoZeroObjective() {
        super(ID, "APO-zero: raise chosen and lower rejected likelihoods, for chosen responses better than"
                + " the model's (D'Oosterlinck et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward β·(π − r)"));
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

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED));
            this.beta = p.real("beta");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            LogRatios r = LogRatios.of(s);
            NDArray loss = ObjectiveMath.sigmoid(Scalars.mul(r.chosen(), -beta))
                    .add(ObjectiveMath.sigmoid(Scalars.mul(r.rejected(), beta))).mean();
            Map<String, Double> metrics = r.metrics(loss, beta);
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
