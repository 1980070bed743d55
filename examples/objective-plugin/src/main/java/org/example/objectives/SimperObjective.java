package org.example.objectives;

import ai.djl.ndarray.NDArray;
import io.dpo4j.api.AbstractConfiguredObjective;
import io.dpo4j.api.AbstractObjective;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.Hyperparameters;
import io.dpo4j.api.ObjectiveRequirements;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.api.math.StandardMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SimPER (Xiao et al. 2025, "SimPER: A Minimalist Approach to Preference Alignment without
 * Hyperparameters", arXiv:2502.00883, ICLR 2025): reference-free and hyperparameter-free; it raises
 * the inverse perplexity of the chosen response and lowers that of the rejected one:
 *
 * <pre>
 * aw = πw / nw,  al = πl / nl            (average response log-probs: the log inverse perplexities)
 * loss = mean_i [ −exp(aw_i) + exp(al_i) ]
 * </pre>
 *
 * The loss lies in [−1, 1]; no reference model is loaded. No parameters.
 */
public final class SimperObjective extends AbstractObjective {

    /** The id used in configuration files. */
    public static final String ID = "simper";

    public SimperObjective() {
        super(ID, "SimPER: raise the chosen and lower the rejected inverse perplexity, no hyperparameters "
                + "(Xiao et al. 2025)");
    }

    @Override
    protected ConfiguredObjective create(Hyperparameters p) {
        return new Configured(p);
    }

    private static final class Configured extends AbstractConfiguredObjective {

        Configured(Hyperparameters p) {
            super(ID, p, ObjectiveRequirements.paired(Statistic.POLICY_CHOSEN, Statistic.POLICY_REJECTED,
                    Statistic.CHOSEN_TOKENS, Statistic.REJECTED_TOKENS));
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            NDArray pw = s.get(Statistic.POLICY_CHOSEN);
            NDArray pl = s.get(Statistic.POLICY_REJECTED);
            NDArray aw = pw.div(s.get(Statistic.CHOSEN_TOKENS));
            NDArray al = pl.div(s.get(Statistic.REJECTED_TOKENS));
            NDArray loss = al.exp().sub(aw.exp()).mean();
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("loss", ObjectiveMath.scalar(loss));
            // the implicit reward is the average log-prob (its exponential is the inverse perplexity)
            metrics.putAll(StandardMetrics.ofAverages(1.0, pw, pl, aw, al));
            return new ObjectiveResult(loss, metrics, List.of());
        }
    }
}
