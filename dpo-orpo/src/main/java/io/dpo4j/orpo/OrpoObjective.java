package io.dpo4j.orpo;

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
 * ORPO (Hong, Lee and Thorne 2024, "ORPO: Monolithic Preference Optimization without Reference
 * Model", arXiv:2403.07691): supervised fine-tuning on the chosen responses plus a log-odds-ratio
 * penalty, in one stage and without a reference model:
 *
 * <pre>
 * aw, al = πw/nw, πl/nl                                   (average response log-probs)
 * lo     = (aw − al) − (log1mexp(aw) − log1mexp(al)),     log1mexp(a) = log(1 − e^a)
 * loss   = NLL − λ · mean_i logσ(lo_i),                   NLL = −Σπw / Σnw
 * </pre>
 *
 * {@code log1mexp} is computed stably ({@code log1p(−e^a)} below −ln 2, {@code log(−expm1(a))}
 * above). Unlike TRL, whose ORPO NLL also counts prompt tokens, the NLL here counts response tokens
 * only: the prompt is conditioning context. Parameter: {@code lambda} λ = 0.1 (&gt; 0).
 */
public final class OrpoObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "orpo";

    public OrpoObjective() {
        super(ID, "ORPO: SFT plus a log-odds-ratio penalty, no reference model (Hong et al. 2024)",
                Hyperparameter.real("lambda", 0.1, Range.positive(),
                        "λ: weight of the odds-ratio term relative to the NLL of chosen responses"));
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

        /** The implicit reward's scale: {@code lambda}. */
        @Override
        public double rewardScale() {
            return lambda;
        }

        private final double lambda;

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.CHOSEN_TOKENS, Statistic.REJECTED_TOKENS));
            this.lambda = p.real("lambda");
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            NDArray pw = s.get(Statistic.POLICY_CHOSEN);
            NDArray pl = s.get(Statistic.POLICY_REJECTED);
            NDArray nw = s.get(Statistic.CHOSEN_TOKENS);
            NDArray avgW = pw.div(nw);
            NDArray avgL = pl.div(s.get(Statistic.REJECTED_TOKENS));
            NDArray logOdds = avgW.sub(avgL)
                    .sub(ObjectiveMath.log1mexp(avgW).sub(ObjectiveMath.log1mexp(avgL)));
            NDArray logSigmoidOdds = ObjectiveMath.logSigmoid(logOdds);
            NDArray nll = Losses.chosenNll(pw, nw);
            NDArray loss = nll.sub(Scalars.mul(logSigmoidOdds.mean(), lambda));
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", ObjectiveMath.scalar(loss));
            metrics.putAll(StandardMetrics.ofAverages(lambda, pw, pl, avgW, avgL));
            metrics.put("nll_loss", ObjectiveMath.scalar(nll));
            metrics.put("log_odds_ratio", StandardMetrics.mean(ObjectiveMath.toDoubles(logSigmoidOdds)));
            metrics.put("log_odds_chosen", StandardMetrics.mean(ObjectiveMath.toDoubles(logOdds)));
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
