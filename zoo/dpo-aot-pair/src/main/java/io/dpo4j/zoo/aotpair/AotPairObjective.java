package io.dpo4j.zoo.aotpair;

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
 * AOT, unpaired variant: Melnyk et al. 2024, "Distributional Preference Alignment of LLMs via Optimal
 * Transport", arXiv:2406.05882. TRL ≥ 0.28 calls it {@code aot_unpaired} (it was TRL's old
 * {@code aot_pair}, renamed in #5038); the id here stays {@code aot_pair}. The chosen log-ratio
 * distribution is made to dominate the rejected one, quantile by quantile, ignoring the pairing:
 *
 * <pre>
 * ρw_(1) ≤ … ≤ ρw_(B),  ρl_(1) ≤ … ≤ ρl_(B)      sorted independently over the batch
 * loss = mean_k Lε( β·(ρw_(k) − ρl_(k)) ),   Lε(z) = −(1−ε)·logσ(z) − ε·logσ(−z)
 * </pre>
 *
 * <b>Batch-coupled</b>, like {@code aot}: stable sorts on copies, gradients through the permutations;
 * here ∂/∂πw_i and ∂/∂πl_i come from two separate sorts. Parameters: {@code beta} = 0.1 (&gt; 0),
 * {@code label_smoothing} ε = 0 (in [0, 0.5)).
 */
public final class AotPairObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "aot_pair";

    public AotPairObjective() {
        super(ID, "AOT, unpaired (TRL's aot_unpaired): sorted chosen and rejected log-ratios matched"
                + " quantile by quantile (Melnyk et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward β·(π − r)"),
                Hyperparameter.real("label_smoothing", 0.0, Range.closedOpen(0, 0.5),
                        "ε: cDPO label smoothing of the matched log-ratios"));
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
            NDArray chosen = ObjectiveMath.sortedAscending(r.chosen());
            NDArray rejected = ObjectiveMath.sortedAscending(r.rejected());
            NDArray loss = Losses.smoothedLogistic(Scalars.mul(chosen.sub(rejected), beta), epsilon).mean();
            return new ObjectiveResult(loss, r.metrics(loss, beta), List.of());
        }
    }
}
