package io.dpo4j.cli.step;

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
import java.util.List;
import java.util.Map;

/**
 * The benchmark's SFT step as an objective, so that it runs through the very same training step as DPO
 * and the two differ only by the loss: the token-mean negative log-likelihood of every scored response
 * (chosen and rejected alike), {@code −(Σ πw + Σ πl) / (Σ nw + Σ nl)}; no reference. Not registered: the
 * benchmark's own.
 */
final class SupervisedObjective extends AbstractObjective {

    static final String ID = "sft_nll";

    SupervisedObjective() {
        super(ID, "token-mean NLL of every response (the step benchmark's SFT step)");
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

        /**
         * Row-local: each row's gradient is {@code −1 / (Σ nw + Σ nl)}, token counts only (the single-pass
         * kernel's declaration, so that SFT and DPO take the same kernel path).
         */
        public boolean rowLocalGradient() {
            return true;
        }

        @Override
        public ObjectiveResult compute(SequenceStatistics s) {
            NDArray logProbs = s.get(Statistic.POLICY_CHOSEN).sum().add(s.get(Statistic.POLICY_REJECTED).sum());
            NDArray tokens = s.get(Statistic.CHOSEN_TOKENS).sum().add(s.get(Statistic.REJECTED_TOKENS).sum());
            NDArray loss = logProbs.neg().div(tokens);
            return new ObjectiveResult(loss, Map.of("loss", ObjectiveMath.scalar(loss)), List.of());
        }
    }
}
