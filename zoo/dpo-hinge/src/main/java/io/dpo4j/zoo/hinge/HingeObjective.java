package io.dpo4j.zoo.hinge;

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
 * Hinge loss on the log-ratio margin: RSO (Liu et al. 2023, "Statistical Rejection Sampling Improves
 * Preference Optimization", arXiv:2309.06657), the hinge on the normalised likelihood of SLiC-HF
 * (Zhao et al. 2023). TRL's {@code loss_type="hinge"}.
 *
 * <pre>
 * h    = (πw − rw) − (πl − rl)
 * loss = mean_i relu(1 − β·h_i)
 * </pre>
 *
 * β is the reciprocal of the margin: the loss is zero once h ≥ 1/β (10 nats at β = 0.1). At the kink
 * β·h = 1 the derivative is 0 (relu's right-hand derivative, as {@code torch.relu}). No label
 * smoothing. Parameter: {@code beta} = 0.1 (&gt; 0).
 */
public final class HingeObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "hinge";

    public HingeObjective() {
        super(ID, "Hinge loss on the DPO margin, zero once β·h ≥ 1 (RSO, Liu et al. 2023; SLiC-HF, Zhao et al. 2023)",
                Hyperparameter.real("beta", 0.1, Range.positive(),
                        "β: reciprocal of the margin; the loss is zero once the log-ratio margin reaches 1/β"));
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
            NDArray loss = ObjectiveMath.relu(Scalars.mul(r.margin(), -beta).add(1.0)).mean();
            Map<String, Double> metrics = r.metrics(loss, beta);
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
