package io.dpo4j.zoo.cpo;

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
import io.dpo4j.api.math.Losses;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.api.math.Scalars;
import io.dpo4j.api.math.StandardMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Contrastive Preference Optimization: Xu et al. 2024, "Contrastive Preference Optimization: Pushing
 * the Boundaries of LLM Performance in Machine Translation", arXiv:2401.08417; TRL's
 * {@code CPOTrainer} with {@code loss_type="sigmoid"}. Reference-free (no reference model is loaded):
 *
 * <pre>
 * z_i  = β·(πw_i − πl_i)                                      summed policy log-probs
 * loss = mean_i Lε(z_i) + cpo_alpha · NLL,   Lε(z) = −(1−ε)·logσ(z) − ε·logσ(−z)
 * NLL  = −Σ_i πw_i / Σ_i nw_i                                 token mean over the chosen responses
 * </pre>
 *
 * TRL's NLL is {@code CrossEntropyLoss} over the chosen half with prompt labels masked, i.e. the
 * token mean above (the paper writes the sequence-level −log π(yw|x)). It is a ratio of batch sums,
 * so with unequal token counts accumulated micro-batches differ slightly from one batch, as with
 * {@code dpo}'s {@code sft_weight}. Not included: TRL CPO's AlphaPO {@code alpha} and its other loss
 * types. Metrics follow TRL CPO: {@code rewards/chosen} = mean β·πw, {@code rewards/rejected} = mean
 * β·πl, and {@code nll_loss}. Parameters: {@code beta} = 0.1 (&gt; 0), {@code cpo_alpha} = 1 (≥ 0),
 * {@code label_smoothing} ε = 0 (in [0, 0.5)) — TRL {@code CPOConfig}'s defaults.
 */
public final class CpoObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "cpo";

    public CpoObjective() {
        super(ID, "CPO: reference-free contrastive preference loss plus the chosen responses' NLL (Xu et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the reference-free reward β·π"),
                Hyperparameter.real("cpo_alpha", 1.0, Range.nonNegative(),
                        "weight of the chosen responses' token-mean NLL"),
                Hyperparameter.real("label_smoothing", 0.0, Range.closedOpen(0, 0.5), "ε: cDPO label smoothing"));
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
        private final double alpha;
        private final double epsilon;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.CHOSEN_TOKENS));
            this.beta = p.real("beta");
            this.alpha = p.real("cpo_alpha");
            this.epsilon = p.real("label_smoothing");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            NDArray pw = s.get(Statistic.POLICY_CHOSEN);
            NDArray pl = s.get(Statistic.POLICY_REJECTED);
            NDArray preference = Losses.smoothedLogistic(Scalars.mul(pw.sub(pl), beta), epsilon).mean();
            NDArray nll = Losses.chosenNll(pw, s.get(Statistic.CHOSEN_TOKENS));
            NDArray loss = preference.add(Scalars.mul(nll, alpha));
            double[] logpChosen = ObjectiveMath.toDoubles(pw);
            double[] logpRejected = ObjectiveMath.toDoubles(pl);
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", ObjectiveMath.scalar(loss));
            metrics.putAll(StandardMetrics.paired(StandardMetrics.scaledDifference(beta, logpChosen, null),
                    StandardMetrics.scaledDifference(beta, logpRejected, null), logpChosen, logpRejected, null, null));
            metrics.put("nll_loss", ObjectiveMath.scalar(nll));
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
