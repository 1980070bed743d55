package io.dpo4j.zoo.sigmoidnorm;

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
 * DPO on per-token log-ratios: TRL's {@code loss_type="sigmoid_norm"} (#5406, 2026), the DPO
 * logistic loss with each log-ratio divided by its response's token count, as SimPO normalises:
 *
 * <pre>
 * loss = mean_i −logσ( β·(ρw_i/nw_i − ρl_i/nl_i) )      ρ = π − r, n clamped to ≥ 1
 * </pre>
 *
 * No label smoothing. Per-token log-ratios are about 1/n of the summed ones, so useful β values are
 * far larger than for {@code dpo} (SimPO uses β ≈ 2); the default is TRL's shared 0.1. The reward
 * metrics stay β·ρ, unnormalised, as in TRL. Parameter: {@code beta} = 0.1 (&gt; 0).
 */
public final class SigmoidNormObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "sigmoid_norm";

    public SigmoidNormObjective() {
        super(ID, "DPO on per-token log-ratios, normalised by response length as SimPO does (TRL sigmoid_norm)",
                Hyperparameter.real("beta", 0.1, Range.positive(),
                        "β: scale of the per-token log-ratio margin (SimPO-like values are about 2)"));
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
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED,
                    Statistic.CHOSEN_TOKENS, Statistic.REJECTED_TOKENS));
            this.beta = p.real("beta");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            LogRatios r = LogRatios.of(s);
            NDArray perTokenChosen = r.chosen().div(Scalars.maximum(s.get(Statistic.CHOSEN_TOKENS), 1.0));
            NDArray perTokenRejected = r.rejected().div(Scalars.maximum(s.get(Statistic.REJECTED_TOKENS), 1.0));
            NDArray z = Scalars.mul(perTokenChosen.sub(perTokenRejected), beta);
            NDArray loss = ObjectiveMath.logSigmoid(z).neg().mean();
            Map<String, Double> metrics = r.metrics(loss, beta);
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
