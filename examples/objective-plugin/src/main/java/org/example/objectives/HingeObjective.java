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
 * The hinge loss on the implicit-reward margin, from SLiC (Zhao et al. 2023, "SLiC-HF: Sequence
 * Likelihood Calibration with Human Feedback", arXiv:2305.10425) as used by RSO (Liu et al. 2023,
 * "Statistical Rejection Sampling Improves Preference Optimization", arXiv:2309.06657):
 *
 * <pre>
 * h    = (πw − rw) − (πl − rl)
 * loss = mean_i max(0, 1 − β·h_i)
 * </pre>
 *
 * Parameter: {@code beta} β = 0.1 (&gt; 0; 1/β is the margin in log-ratio units). Pairs already past
 * the margin contribute neither loss nor gradient.
 */
public final class HingeObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "hinge";

    public HingeObjective() {
        super(ID, "Hinge loss on the implicit-reward margin (SLiC, Zhao et al. 2023; RSO, Liu et al. 2023)",
                Hyperparameter.real("beta", 0.1, Range.positive(),
                        "β: reward scale; pairs with β·h >= 1 are past the margin"));
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

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED));
            this.beta = p.real("beta");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            NDArray pw = s.get(Statistic.POLICY_CHOSEN);
            NDArray pl = s.get(Statistic.POLICY_REJECTED);
            NDArray ratioW = pw.sub(s.get(Statistic.REFERENCE_CHOSEN));
            NDArray ratioL = pl.sub(s.get(Statistic.REFERENCE_REJECTED));
            NDArray slack = Scalars.mul(ratioW.sub(ratioL), -beta).add(1.0);
            NDArray loss = Scalars.maximum(slack, 0.0).mean();
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", ObjectiveMath.scalar(loss));
            metrics.putAll(StandardMetrics.ofLogRatios(beta, pw, pl, ratioW, ratioL, true));
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
