package io.dpo4j.zoo.apodown;

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
import io.dpo4j.api.Semantics;
import java.util.List;
import java.util.Map;

/**
 * APO-down: D'Oosterlinck et al. 2024, "Anchored Preference Optimization and Contrastive Revisions:
 * Addressing Underspecification in Alignment", arXiv:2408.06266, Eq. 8; TRL's
 * {@code loss_type="apo_down"}. For chosen responses worse than the model's own outputs:
 *
 * <pre>
 * loss = mean_i [ σ(β·ρw_i) + σ(−β·h_i) ]         = σ(βρw) + (1 − σ(βh)),   ρ = π − r, h = ρw − ρl
 * </pre>
 *
 * It <b>deliberately pushes πw down</b> (first term) while pushing the margin up (second term), so
 * ∂loss/∂πw = β·(σ′(βρw) − σ′(βh)) has either sign: the objective {@linkplain
 * ConfiguredObjective#semantics declares} that raising a chosen log-prob may raise or lower the loss
 * (raising a rejected one still raises it). In TRL ≥ 0.29 the second term uses the f-divergence
 * score; here both use ρ. The loss lies in [0, 2]. Parameter: {@code beta} = 0.1 (&gt; 0).
 */
public final class ApoDownObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "apo_down";

    public ApoDownObjective() {
        super(ID, "APO-down: lower the chosen likelihood while raising the margin, for chosen responses"
                + " worse than the model's (D'Oosterlinck et al. 2024)",
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
            NDArray loss = ObjectiveMath.sigmoid(Scalars.mul(r.chosen(), beta))
                    .add(ObjectiveMath.sigmoid(Scalars.mul(r.margin(), -beta))).mean();
            Map<String, Double> metrics = r.metrics(loss, beta);
            return new ObjectiveResult(loss, metrics, List.of());
        }

        /** By design: the first term pushes the chosen log-prob down, the second pushes the margin up. */
        @Override
        public Semantics semantics() {
            return Semantics.declared(Semantics.Direction.EITHER, Semantics.Direction.RAISES,
                    "apo_down deliberately pushes the chosen log-prob down while pushing the margin up");
        }
    }
}
