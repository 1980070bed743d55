package io.dpo4j.bench.lab;

import ai.djl.ndarray.NDArray;
import io.dpo4j.api.AbstractConfiguredObjective;
import io.dpo4j.api.AbstractObjective;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.Hyperparameters;
import io.dpo4j.api.ObjectiveRequirements;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.math.Losses;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.api.math.StandardMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The <b>Preferred-FT</b> baseline of the DPO paper (§6): supervised fine-tuning on the chosen
 * responses only, {@code loss = −Σ πw / Σ nw} (the token-mean NLL of the chosen responses); the
 * rejected responses and the reference statistics are read only for the standard metrics
 * (log-ratios at reward scale 1). A benchmark baseline, not a registered objective: suites name it
 * {@value #ID}.
 */
final class PreferredFt extends AbstractObjective {

    /** The id suites use. */
    static final String ID = "preferred_ft";

    PreferredFt() {
        super(ID, "Preferred-FT: supervised fine-tuning on the chosen responses (the DPO paper's baseline)");
    }

    @Override
    protected ConfiguredObjective create(Hyperparameters p) {
        return new Configured(p);
    }

    private static final class Configured extends AbstractConfiguredObjective {

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.REFERENCE_CHOSEN, Statistic.REFERENCE_REJECTED, Statistic.CHOSEN_TOKENS));
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            NDArray pw = s.get(Statistic.POLICY_CHOSEN);
            NDArray pl = s.get(Statistic.POLICY_REJECTED);
            NDArray nll = Losses.chosenNll(pw, s.get(Statistic.CHOSEN_TOKENS));
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", ObjectiveMath.scalar(nll));
            metrics.putAll(StandardMetrics.ofLogRatios(1, pw, pl, pw.sub(s.get(Statistic.REFERENCE_CHOSEN)),
                    pl.sub(s.get(Statistic.REFERENCE_REJECTED)), true));
            metrics.put("nll_loss", ObjectiveMath.scalar(nll));
            return new ObjectiveResult(nll, metrics, List.of());
        }
    }
}
