package io.dpo4j.zoo.sppohard;

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
import java.util.List;
import java.util.Map;

/**
 * SPPO with hard labels: Wu et al. 2024, "Self-Play Preference Optimization for Language Model
 * Alignment", arXiv:2405.00675; TRL's {@code loss_type="sppo_hard"}. Regresses each raw log-ratio
 * onto its target:
 *
 * <pre>
 * loss = mean_i [ (ρw_i − 1/(2β))² + (ρl_i + 1/(2β))² ]        ρ = π − r
 * </pre>
 *
 * The targets ±1/(2β) apply to the raw log-ratio (±5 nats at β = 0.1), not to β·ρ; no ½ factor and
 * no length normalisation (unlike {@code ipo}'s default). The paper's soft version needs a win
 * probability per pair (PairRM) and is out of scope. Beyond its target, raising πw raises the loss.
 * Parameter: {@code beta} = 0.1 (&gt; 0).
 */
public final class SppoHardObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "sppo_hard";

    public SppoHardObjective() {
        super(ID, "SPPO, hard labels: squared regression of the log-ratios onto ±1/(2β) (Wu et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: the log-ratio targets are ±1/(2β)"));
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
            double target = 1 / (2 * beta);
            NDArray loss = r.chosen().sub(target).square().add(r.rejected().add(target).square()).mean();
            Map<String, Double> metrics = r.metrics(loss, beta);
            metrics.put("sppo/target", target);
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
