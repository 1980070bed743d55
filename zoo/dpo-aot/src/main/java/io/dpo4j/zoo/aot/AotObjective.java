package io.dpo4j.zoo.aot;

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
import io.dpo4j.api.math.Losses;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.api.math.Scalars;
import java.util.List;

/**
 * AOT, paired: Melnyk et al. 2024, "Distributional Preference Alignment of LLMs via Optimal
 * Transport", arXiv:2406.05882; TRL's {@code loss_type="aot"}. The k-th smallest policy margin of
 * the batch is matched with the k-th smallest reference margin of the batch:
 *
 * <pre>
 * u_i = πw_i − πl_i,  v_i = rw_i − rl_i
 * u_(1) ≤ … ≤ u_(B),  v_(1) ≤ … ≤ v_(B)          each sorted ascending, independently
 * loss = mean_k Lε( β·(u_(k) − v_(k)) ),   Lε(z) = −(1−ε)·logσ(z) − ε·logσ(−z)
 * </pre>
 *
 * <b>Batch-coupled</b>: the result depends on which pairs share a batch, so accumulated micro-batches
 * differ from one large batch (TRL sorts per device). The sorts are stable (ties by pair index) and
 * on copies; the gradient flows through them as a permutation, and ∂/∂πl_i = −∂/∂πw_i. With B = 1
 * this is DPO with cDPO smoothing. Parameters: {@code beta} = 0.1 (&gt; 0), {@code label_smoothing}
 * ε = 0 (in [0, 0.5)).
 */
public final class AotObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "aot";

    public AotObjective() {
        super(ID, "AOT, paired: distributional alignment via optimal transport, sorted margins matched"
                + " across the batch (Melnyk et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward β·(π − r)"),
                Hyperparameter.real("label_smoothing", 0.0, Range.closedOpen(0, 0.5),
                        "ε: cDPO label smoothing of the matched margins"));
    }

    @Override
    protected ConfiguredObjective create(Hyperparameters p) {
        return new Configured(p);
    }

    private static final class Configured extends AbstractConfiguredObjective {
        private final double beta;
        private final double epsilon;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED).asBatchCoupled());
            this.beta = p.real("beta");
            this.epsilon = p.real("label_smoothing");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            LogRatios r = LogRatios.of(s);
            NDArray policyMargins = ObjectiveMath.sortedAscending(r.policyChosen().sub(r.policyRejected()));
            NDArray referenceMargins = ObjectiveMath.sortedAscending(
                    s.get(Statistic.REFERENCE_CHOSEN).sub(s.get(Statistic.REFERENCE_REJECTED)));
            NDArray z = Scalars.mul(policyMargins.sub(referenceMargins), beta);
            NDArray loss = Losses.smoothedLogistic(z, epsilon).mean();
            return new ObjectiveResult(loss, r.metrics(loss, beta), List.of());
        }
    }
}
