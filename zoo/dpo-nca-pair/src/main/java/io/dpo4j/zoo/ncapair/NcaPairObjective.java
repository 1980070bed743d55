package io.dpo4j.zoo.ncapair;

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
 * NCA, pairwise: Chen et al. 2024, "Noise Contrastive Alignment of Language Models with Explicit
 * Rewards", arXiv:2402.05369; TRL's {@code loss_type="nca_pair"}. Optimises absolute rather than
 * relative rewards:
 *
 * <pre>
 * cw = β·(πw − rw),  cl = β·(πl − rl)
 * loss = mean_i [ −logσ(cw) − ½·logσ(−cw) − ½·logσ(−cl) ]
 * </pre>
 *
 * The chosen term is minimal at cw = ln 2: above that, raising πw raises the loss (by design, not a
 * bug). Parameter: {@code beta} = 0.1 (&gt; 0).
 */
public final class NcaPairObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "nca_pair";

    public NcaPairObjective() {
        super(ID, "NCA, pairwise: noise-contrastive alignment on absolute rewards (Chen et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward β·(π − r)"));
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
            NDArray cw = Scalars.mul(r.chosen(), beta);
            NDArray cl = Scalars.mul(r.rejected(), beta);
            NDArray loss = ObjectiveMath.logSigmoid(cw).neg().sub(Scalars.mul(ObjectiveMath.logSigmoid(cw.neg()), 0.5))
                    .sub(Scalars.mul(ObjectiveMath.logSigmoid(cl.neg()), 0.5)).mean();
            Map<String, Double> metrics = r.metrics(loss, beta);
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
