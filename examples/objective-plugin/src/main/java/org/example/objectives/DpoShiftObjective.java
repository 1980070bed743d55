package org.example.objectives;

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
import io.dpo4j.api.math.Scalars;
import io.dpo4j.api.math.StandardMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DPO-Shift (Yang et al. 2025, "DPO-Shift: Shifting the Distribution of Direct Preference
 * Optimization", arXiv:2502.07599), with the paper's fixed shift f(λ) = λ: the rejected log-ratio
 * enters the margin scaled by λ ≤ 1, which counters DPO's tendency to lower the chosen likelihood
 * along with the rejected one (at some cost in margin):
 *
 * <pre>
 * ρw = πw − rw,  ρl = πl − rl
 * loss = mean_i −logσ( β·ρw_i − λ·β·ρl_i )
 * </pre>
 *
 * Parameters: {@code beta} β = 0.1 (&gt; 0), {@code lambda} λ = 0.95 (in (0, 1]; the paper sweeps
 * 0.5–0.95; λ = 1 is DPO). The paper's schedules of λ over training (linear increase or decrease)
 * need the step number and are not offered by this stateless objective.
 */
public final class DpoShiftObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "dpo_shift";

    public DpoShiftObjective() {
        super(ID, "DPO-Shift: DPO with the rejected log-ratio scaled by lambda <= 1 (Yang et al. 2025)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward"),
                Hyperparameter.real("lambda", 0.95, new Range(0, false, 1, true),
                        "λ = f(λ): weight of the rejected log-ratio in the margin; 1 is DPO"));
    }

    @Override
    protected ConfiguredObjective create(Hyperparameters p) {
        return new Configured(p);
    }

    private static final class Configured extends AbstractConfiguredObjective {

        /** The implicit reward's scale: {@code beta}. */
        @Override
        public double rewardScale() {
            return beta;
        }

        private final double beta;
        private final double lambda;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED));
            beta = p.real("beta");
            lambda = p.real("lambda");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            NDArray pw = s.get(Statistic.POLICY_CHOSEN);
            NDArray pl = s.get(Statistic.POLICY_REJECTED);
            NDArray ratioW = pw.sub(s.get(Statistic.REFERENCE_CHOSEN));
            NDArray ratioL = pl.sub(s.get(Statistic.REFERENCE_REJECTED));
            NDArray z = Scalars.mul(ratioW, beta).sub(Scalars.mul(ratioL, lambda * beta));
            NDArray loss = ObjectiveMath.logSigmoid(z).neg().mean();
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", ObjectiveMath.scalar(loss));
            metrics.putAll(StandardMetrics.ofLogRatios(beta, pw, pl, ratioW, ratioL, true));
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
