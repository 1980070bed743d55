package io.dpo4j.zoo.robust;

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
 * Provably robust DPO: Chowdhury et al. 2024, "Provably Robust DPO: Aligning Language Models with
 * Noisy Feedback", arXiv:2403.00409; TRL's {@code loss_type="robust"}. The unbiased estimator of the
 * DPO loss under preference labels flipped with probability ε (not cDPO: note the plus sign):
 *
 * <pre>
 * x    = β·h
 * loss = mean_i [ −(1−ε)·logσ(x) + ε·logσ(−x) ] / (1 − 2ε)
 * </pre>
 *
 * Unbounded below: as x → +∞ it behaves like −ε·x/(1−2ε), so the loss can be negative. Parameters:
 * {@code beta} = 0.1 (&gt; 0), {@code label_smoothing} ε = 0.1 (in [0, 0.5), the value TRL's docs
 * attribute to the paper; values outside are errors here, TRL only warns). ε = 0 is plain DPO.
 */
public final class RobustObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "robust";

    public RobustObjective() {
        super(ID, "Provably robust DPO: unbiased under label flips with probability ε (Chowdhury et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward β·(π − r)"),
                Hyperparameter.real("label_smoothing", 0.1, Range.closedOpen(0, 0.5),
                        "ε: the probability that a preference label is flipped"));
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
        private final double epsilon;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED));
            this.beta = p.real("beta");
            this.epsilon = p.real("label_smoothing");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            LogRatios r = LogRatios.of(s);
            NDArray x = Scalars.mul(r.margin(), beta);
            NDArray perPair = Scalars.mul(ObjectiveMath.logSigmoid(x), -(1 - epsilon))
                    .add(Scalars.mul(ObjectiveMath.logSigmoid(x.neg()), epsilon));
            NDArray loss = Scalars.mul(perPair.mean(), 1 / (1 - 2 * epsilon));
            Map<String, Double> metrics = r.metrics(loss, beta);
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
