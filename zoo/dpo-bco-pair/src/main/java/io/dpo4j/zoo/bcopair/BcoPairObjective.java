package io.dpo4j.zoo.bcopair;

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
 * BCO, pairwise: Jung et al. 2024, "Binary Classifier Optimization for Large Language Model
 * Alignment", arXiv:2404.04656; TRL's {@code loss_type="bco_pair"}. A binary classifier that labels
 * chosen rewards 1 and rejected rewards 0, after a shift by the batch's mean reward:
 *
 * <pre>
 * cw_i = β·(πw_i − rw_i),  cl_i = β·(πl_i − rl_i)
 * δ    = sg( (Σ_i cw_i + Σ_i cl_i) / (2B) )     if reward_shift (default; 0 otherwise)
 * loss = mean_i [ −logσ(cw_i − δ) − logσ(−(cl_i − δ)) ]
 * </pre>
 *
 * δ carries no gradient (a {@linkplain ConfiguredObjective#stopGradientTerms stop-gradient term}
 * named {@code delta}): the gradient drops the term ∂δ/∂πw_i = β/(2B), so a finite-difference check
 * must hold δ fixed. With {@code reward_shift} the objective is <b>batch-coupled</b>: a micro-batch
 * uses its own δ, so accumulated micro-batches differ from one large batch (the loss is invariant
 * under permutation and duplication). {@code reward_shift = false} is TRL ≥ 0.29 exactly, which
 * dropped the shift. Old TRL's running δ (a cumulative mean over steps, kept in checkpoints) is state
 * across steps and is not offered. Metrics add {@code delta}. Parameters: {@code beta} = 0.1 (&gt; 0),
 * {@code reward_shift} = true.
 */
public final class BcoPairObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "bco_pair";

    public BcoPairObjective() {
        super(ID, "BCO, pairwise: binary classifier of chosen vs rejected rewards, shifted by the batch mean"
                + " (Jung et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward β·(π − r)"),
                Hyperparameter.flag("reward_shift", true,
                        "shift rewards by the batch mean δ (no gradient), as the paper; false is TRL >= 0.29"));
    }

    @Override
    protected ConfiguredObjective create(Hyperparameters p) {
        return new Configured(p);
    }

    private static final class Configured extends AbstractConfiguredObjective {

        /** Row-local only without the reward shift: δ is a batch mean of policy rewards (stop-gradient or not). */
        @Override
        public boolean rowLocalGradient() {
            return !requirements().batchCoupled();
        }
        private final double beta;
        private final boolean rewardShift;

        Configured(Hyperparameters p) {
            super(ID, p, requirements(p.flag("reward_shift")));
            this.beta = p.real("beta");
            this.rewardShift = p.flag("reward_shift");
        }

        /** δ, when {@code reward_shift}: the batch mean of the 2B rewards, without gradient. */
        @Override
        public Map<String, Double> stopGradientTerms(SequenceStatistics s) {
            return rewardShift ? Map.of(DELTA, delta(LogRatios.of(s))) : Map.of();
        }

        private double delta(LogRatios r) {
            double[] w = ObjectiveMath.toDoubles(r.chosen());
            double[] l = ObjectiveMath.toDoubles(r.rejected());
            double sum = 0;
            for (int i = 0; i < w.length; i++) {
                sum += beta * w[i] + beta * l[i];
            }
            return sum / (2.0 * w.length);
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            return compute(s, Map.of());
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s, Map<String, Double> held) {
            if (!held.isEmpty() && !(rewardShift && held.keySet().equals(java.util.Set.of(DELTA)))) {
                throw new IllegalArgumentException("bco_pair" + (rewardShift ? "'s only stop-gradient term is delta"
                        : " without reward_shift has no stop-gradient term") + ", asked to hold " + held.keySet());
            }
            LogRatios r = LogRatios.of(s);
            double delta = !rewardShift ? 0 : held.containsKey(DELTA) ? held.get(DELTA) : delta(r);
            NDArray cw = Scalars.mul(r.chosen(), beta);
            NDArray cl = Scalars.mul(r.rejected(), beta);
            NDArray loss = ObjectiveMath.logSigmoid(cw.sub(delta)).neg()
                    .sub(ObjectiveMath.logSigmoid(cl.sub(delta).neg())).mean();
            Map<String, Double> metrics = r.metrics(loss, beta);
            metrics.put("delta", delta);
            return new ObjectiveResult(loss, metrics, List.of());
        }
        private static final String DELTA = "delta";

        private static ObjectiveRequirements requirements(boolean rewardShift) {
            ObjectiveRequirements r = ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED);
            return rewardShift ? r.asBatchCoupled() : r;
        }
    }
}
