package io.dpo4j.core.objective;

import ai.djl.ndarray.NDArray;
import io.dpo4j.api.AbstractConfiguredObjective;
import io.dpo4j.api.AbstractObjective;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.DataLayout;
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
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Direct Preference Optimization (Rafailov et al. 2023, "Direct Preference Optimization: Your
 * Language Model is Secretly a Reward Model", arXiv:2305.18290), with conservative-DPO label
 * smoothing (Mitchell 2023), a reference-free switch and an RPO-style SFT term (Pang et al. 2024):
 *
 * <pre>
 * h    = (πw − rw) − (πl − rl)                       (rw = rl = 0 when reference_free)
 * loss = mean_i [ −(1−ε)·logσ(β·h) − ε·logσ(−β·h) ] + sft_weight · NLL
 * NLL  = − Σ_i πw_i / Σ_i nw_i
 * </pre>
 *
 * Parameters: {@code beta} β = 0.1 (&gt; 0), {@code label_smoothing} ε = 0 (in [0, 0.5)),
 * {@code reference_free} = false, {@code sft_weight} = 0 (&ge; 0). Reports TRL's metrics,
 * plus {@code nll_loss} when the SFT term is on.
 */
public final class DpoObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "dpo";

    public DpoObjective() {
        super(ID, "Direct Preference Optimization with cDPO label smoothing (Rafailov et al. 2023)",
                Hyperparameter.real("beta", 0.1, Range.positive(),
                        "β: strength of the KL constraint to the reference; higher stays closer"),
                Hyperparameter.real("label_smoothing", 0.0, Range.closedOpen(0, 0.5),
                        "ε: assumed probability that a preference label is flipped (conservative DPO)"),
                Hyperparameter.flag("reference_free", false,
                        "ignore the reference model (rw = rl = 0); no reference model is loaded"),
                Hyperparameter.real("sft_weight", 0.0, Range.nonNegative(),
                        "weight of the token-mean NLL of chosen responses added to the loss (RPO)"));
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
        private final boolean referenceFree;
        private final double sftWeight;

        Configured(Hyperparameters p) {
            super(ID, p, requirements(p.flag("reference_free"), p.real("sft_weight")));
            this.beta = p.real("beta");
            this.epsilon = p.real("label_smoothing");
            this.referenceFree = p.flag("reference_free");
            this.sftWeight = p.real("sft_weight");
        }

        private static ObjectiveRequirements requirements(boolean referenceFree, double sftWeight) {
            EnumSet<Statistic> reads = EnumSet.of(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED);
            if (!referenceFree) {
                reads.add(Statistic.REFERENCE_CHOSEN);
                reads.add(Statistic.REFERENCE_REJECTED);
            }
            if (sftWeight > 0) {
                reads.add(Statistic.CHOSEN_TOKENS);
            }
            return new ObjectiveRequirements(DataLayout.PAIRED, reads);
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            NDArray pw = s.get(Statistic.POLICY_CHOSEN);
            NDArray pl = s.get(Statistic.POLICY_REJECTED);
            NDArray ratioW = referenceFree ? pw : pw.sub(s.get(Statistic.REFERENCE_CHOSEN));
            NDArray ratioL = referenceFree ? pl : pl.sub(s.get(Statistic.REFERENCE_REJECTED));
            NDArray z = Scalars.mul(ratioW.sub(ratioL), beta);
            NDArray loss = Losses.smoothedLogistic(z, epsilon).mean();
            NDArray nll = null;
            if (sftWeight > 0) {
                nll = Losses.chosenNll(pw, s.get(Statistic.CHOSEN_TOKENS));
                loss = loss.add(Scalars.mul(nll, sftWeight));
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", ObjectiveMath.scalar(loss));
            metrics.putAll(StandardMetrics.ofLogRatios(beta, pw, pl, ratioW, ratioL, !referenceFree));
            if (nll != null) {
                metrics.put("nll_loss", ObjectiveMath.scalar(nll));
            }
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
