package io.dpo4j.zoo.fdpo;

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
 * f-DPO: Wang et al. 2023, "Beyond Reverse KL: Generalizing Direct Preference Optimization with
 * Diverse Divergence Constraints", arXiv:2309.16240; TRL's {@code f_divergence_type} applied to the
 * sigmoid loss. Each log-ratio is replaced by the score s(ρ) = f′(e^ρ), constants dropped:
 *
 * <pre>
 * reverse_kl        s(ρ) = ρ                                     (DPO)
 * forward_kl        s(ρ) = −exp( min(−ρ, 80) )
 * js_divergence     s(ρ) = logσ(ρ)
 * alpha_divergence  s(ρ) = expm1( min((α−1)·ρ, 80) ) / (α−1)     if |α − 1| ≥ 1e-6, else ρ
 * loss = mean_i −logσ( β·( s(ρw_i) − s(ρl_i) ) )                 ρ = π − r
 * </pre>
 *
 * α follows TRL ≥ 0.29: f′(u) = (u^(α−1) − 1)/(α−1), so α → 1 is reverse KL and α = 0 forward KL.
 * The paper and old TRL write α′ = 1 − α (old {@code f_alpha_divergence_coef = c} is {@code alpha =
 * 1 − c} here). expm1 avoids cancellation near α = 1, where s → ρ continuously. The exponent clamp
 * at 80 (TRL's float32 value) is part of the definition for every dtype: beyond it a response's
 * score is constant, with zero gradient (the clamp's derivative is 1 up to the bound and 0 above).
 * forward_kl is clamped too, unlike TRL, so that it stays finite at ±1e4 gaps; it then equals
 * alpha_divergence at α = 0 everywhere, and TRL exactly for ρ &gt; −80. All four scores increase in ρ,
 * so the loss is monotone. No label smoothing. Parameters: {@code beta} = 0.1 (&gt; 0),
 * {@code divergence} = reverse_kl (a choice), {@code alpha} = 0.5 (in [0, 1]; read only by
 * alpha_divergence).
 */
public final class FdpoObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "fdpo";

    /** {@code divergence = reverse_kl}: s(ρ) = ρ, DPO. */
    public static final String REVERSE_KL = "reverse_kl";
    /** {@code divergence = forward_kl}: s(ρ) = −exp(min(−ρ, 80)). */
    public static final String FORWARD_KL = "forward_kl";
    /** {@code divergence = js_divergence}: s(ρ) = logσ(ρ). */
    public static final String JS = "js_divergence";
    /** {@code divergence = alpha_divergence}: s(ρ) = expm1(min((α−1)ρ, 80))/(α−1). */
    public static final String ALPHA = "alpha_divergence";
    /** The exponent clamp of forward_kl and alpha_divergence (TRL's float32 value, here for every dtype). */
    static final double CLAMP = 80;

    public FdpoObjective() {
        super(ID, "f-DPO: DPO under reverse KL, forward KL, Jensen-Shannon or alpha divergences (Wang et al. 2023)",
                Hyperparameter.real("beta", 0.1, Range.positive(), "β: scale of the implicit reward β·(π − r)"),
                Hyperparameter.choice("divergence", "reverse_kl", List.of(REVERSE_KL, FORWARD_KL, JS, ALPHA),
                        "the f-divergence whose score f'(π/π_ref) replaces the log-ratio"),
                Hyperparameter.real("alpha", 0.5, Range.closed(0, 1),
                        "α of alpha_divergence (TRL >= 0.29 convention: 1 is reverse KL, 0 forward KL)"));
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
        private final String divergence;
        private final double alpha;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED));
            this.beta = p.real("beta");
            this.divergence = p.choice("divergence");
            this.alpha = p.real("alpha");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            LogRatios r = LogRatios.of(s);
            NDArray margin = score(r.chosen()).sub(score(r.rejected()));
            NDArray loss = ObjectiveMath.logSigmoid(Scalars.mul(margin, beta)).neg().mean();
            Map<String, Double> metrics = r.metrics(loss, beta);
            return new ObjectiveResult(loss, metrics, List.of());
        }

        /** s(ρ) = f′(e^ρ) of the configured divergence, constants dropped. */
        private NDArray score(NDArray rho) {
            switch (divergence) {
                case FORWARD_KL:
                    return ObjectiveMath.clampMax(rho.neg(), CLAMP).exp().neg();
                case JS:
                    return ObjectiveMath.logSigmoid(rho);
                case ALPHA:
                    if (Math.abs(alpha - 1) < 1e-6) {
                        return rho;
                    }
                    return Scalars.mul(ObjectiveMath.expm1(ObjectiveMath.clampMax(Scalars.mul(rho, alpha - 1), CLAMP)),
                            1 / (alpha - 1));
                default:
                    return rho;
            }
        }
    }
}
