package io.dpo4j.zoo.dpop;

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
import io.dpo4j.api.math.StandardMetrics;
import java.util.List;
import java.util.Map;

/**
 * DPO-Positive: Pal et al. 2024, "Smaug: Fixing Failure Modes of Preference Optimisation with
 * DPO-Positive", arXiv:2402.13228. DPO with a penalty inside β that fires only when the policy gives
 * the chosen response less probability than the reference does:
 *
 * <pre>
 * loss = mean_i −logσ( β·( h_i − λ·relu(rw_i − πw_i) ) )
 * </pre>
 *
 * The penalty's effective weight is β·λ (5 at the defaults). At πw = rw exactly (every pair at step
 * 0) its derivative is 0: relu's right-hand derivative, not {@code clamp(min=0)}'s 1 nor a split ½.
 * The loss is monotone. TRL has no DPOP. Parameters: {@code beta} = 0.1 (&gt; 0), {@code lambda}
 * λ = 50 (≥ 0; the paper reports insensitivity over {5, 50, 500}).
 */
public final class DpopObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "dpop";

    public DpopObjective() {
        super(ID, "DPO-Positive (Smaug): DPO with a penalty when the chosen likelihood falls below the"
                + " reference (Pal et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward β·(π − r)"),
                Hyperparameter.real("lambda", 50.0, Range.nonNegative(),
                        "λ: weight of the penalty on a chosen log-prob below the reference's"));
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
        private final double lambda;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED));
            this.beta = p.real("beta");
            this.lambda = p.real("lambda");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            LogRatios r = LogRatios.of(s);
            NDArray penalty = ObjectiveMath.relu(s.get(Statistic.REFERENCE_CHOSEN).sub(r.policyChosen()));
            NDArray z = Scalars.mul(r.margin().sub(Scalars.mul(penalty, lambda)), beta);
            NDArray loss = ObjectiveMath.logSigmoid(z).neg().mean();
            Map<String, Double> metrics = r.metrics(loss, beta);
            metrics.put("dpop/penalty", StandardMetrics.mean(ObjectiveMath.toDoubles(penalty)));
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
