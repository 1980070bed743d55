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
 * Robust DPO (Chowdhury, Kini and Natarajan 2024, "Provably Robust DPO: Aligning Language Models
 * with Noisy Feedback", arXiv:2403.00409): an unbiased estimate of the DPO loss when each preference
 * label is flipped with known probability ε:
 *
 * <pre>
 * h    = (πw − rw) − (πl − rl)
 * loss = mean_i [ −(1−ε)·logσ(β·h_i) + ε·logσ(−β·h_i) ] / (1 − 2ε)
 * </pre>
 *
 * Parameters: {@code beta} β = 0.1 (&gt; 0), {@code label_smoothing} ε = 0.1 (in [0, 0.5); with
 * ε = 0 this is DPO).
 */
public final class RobustObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "robust";

    public RobustObjective() {
        super(ID, "Robust DPO: unbiased DPO loss under label-flip noise ε (Chowdhury et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: strength of the KL constraint"),
                Hyperparameter.real("label_smoothing", 0.1, Range.closedOpen(0, 0.5),
                        "ε: probability that a preference label is flipped"));
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
        private final double epsilon;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED));
            this.beta = p.real("beta");
            this.epsilon = p.real("label_smoothing");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            NDArray pw = s.get(Statistic.POLICY_CHOSEN);
            NDArray pl = s.get(Statistic.POLICY_REJECTED);
            NDArray ratioW = pw.sub(s.get(Statistic.REFERENCE_CHOSEN));
            NDArray ratioL = pl.sub(s.get(Statistic.REFERENCE_REJECTED));
            NDArray z = Scalars.mul(ratioW.sub(ratioL), beta);
            NDArray perPair = Scalars.mul(ObjectiveMath.logSigmoid(z), -(1 - epsilon))
                    .add(Scalars.mul(ObjectiveMath.logSigmoid(z.neg()), epsilon));
            NDArray loss = Scalars.div(perPair.mean(), 1 - 2 * epsilon);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", ObjectiveMath.scalar(loss));
            metrics.putAll(StandardMetrics.ofLogRatios(beta, pw, pl, ratioW, ratioL, true));
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
