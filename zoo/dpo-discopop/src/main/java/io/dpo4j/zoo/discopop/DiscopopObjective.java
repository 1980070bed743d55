package io.dpo4j.zoo.discopop;

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
import io.dpo4j.api.Semantics;
import java.util.List;
import java.util.Map;

/**
 * DiscoPOP (log-ratio modulated loss): Lu et al. 2024, "Discovering Preference Optimization
 * Algorithms with and for Large Language Models", arXiv:2406.08414, Eq. 5; TRL's
 * {@code loss_type="discopop"}. A sigmoid-gated blend of the logistic and the exponential loss:
 *
 * <pre>
 * x = β·h,   m = σ(x/τ)
 * loss = mean_i [ (1 − m)·(−logσ(x)) + m·e^(−x) ]                        (definition)
 *      = mean_i [ σ(−x/τ)·softplus(−x) + exp( logσ(x/τ) − x ) ]          (the form computed)
 * </pre>
 *
 * The second form is required: TRL's {@code exp(-logits) * sigmoid(logits/tau)} gives ∞·0 = NaN for
 * x &lt; −88.7 in float32 (−709.8 in float64). Parameters: {@code beta} = 0.1 (&gt; 0),
 * {@code discopop_tau} τ = 0.05 (in (0, 1]; for τ &gt; 1 the exponential term grows like
 * e^((1 − 1/τ)·|x|) and overflows at finite gaps). Not monotone near x = 0: at τ = 0.05 the loss has
 * a local minimum ≈ 0.786 at x ≈ −0.119 and a local maximum ≈ 0.878 at x ≈ +0.072, and at x = 0
 * (every pair at step 0) ∂loss/∂x = (1 − ln 2)/(4τ) − 3/4 ≈ +0.78, so the first steps push the
 * margins down. This is the paper's loss; the objective {@linkplain ConfiguredObjective#semantics
 * declares} it.
 */
public final class DiscopopObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "discopop";

    public DiscopopObjective() {
        super(ID, "DiscoPOP: log-ratio modulated loss, a discovered blend of logistic and exponential losses"
                + " (Lu et al. 2024)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward β·(π − r)"),
                Hyperparameter.real("discopop_tau", 0.05, new Range(0, false, 1, true),
                        "τ: temperature of the sigmoid gate between the logistic and the exponential loss"));
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
        private final double tau;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED));
            this.beta = p.real("beta");
            this.tau = p.real("discopop_tau");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            LogRatios r = LogRatios.of(s);
            NDArray x = Scalars.mul(r.margin(), beta);
            NDArray scaled = Scalars.mul(x, 1 / tau);
            NDArray logistic = ObjectiveMath.sigmoid(scaled.neg()).mul(ObjectiveMath.softplus(x.neg()));
            NDArray exponential = ObjectiveMath.logSigmoid(scaled).sub(x).exp();
            NDArray loss = logistic.add(exponential).mean();
            Map<String, Double> metrics = r.metrics(loss, beta);
            return new ObjectiveResult(loss, metrics, List.of());
        }

        /** The paper's loss is not monotone near a zero margin (see the class comment). */
        @Override
        public Semantics semantics() {
            return Semantics.declared(Semantics.Direction.EITHER, Semantics.Direction.EITHER,
                    "discopop is not monotone near a zero margin: at tau = 0.05 a local minimum at beta*h = -0.119 "
                            + "and a local maximum at +0.072, the paper's loss by design");
        }
    }
}
