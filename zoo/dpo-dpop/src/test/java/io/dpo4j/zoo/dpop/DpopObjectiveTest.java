package io.dpo4j.zoo.dpop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.types.DataType;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.check.LossCaseResult;
import io.dpo4j.testkit.HostBatch;
import io.dpo4j.testkit.ObjectiveContractKit;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("dpop honours the objective contract")
class DpopObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new DpopObjective();
    }

    @Override
    protected String expectedId() {
        return DpopObjective.ID;
    }

    @Test
    @DisplayName("at πw = rw (step 0) the penalty's derivative is 0: the gradient is dpo's, −β·σ(−βh)/B")
    void kinkAtStepZero() {
        HostBatch b = new HostBatch(DataLayout.PAIRED, Map.of(Statistic.POLICY_CHOSEN, new double[] {-12},
                Statistic.REFERENCE_CHOSEN, new double[] {-12}, Statistic.POLICY_REJECTED, new double[] {-20},
                Statistic.REFERENCE_REJECTED, new double[] {-20}, Statistic.CHOSEN_TOKENS, new double[] {5},
                Statistic.REJECTED_TOKENS, new double[] {5}));
        LossCaseResult r = evaluate(objective().configureDefaults(), b, DataType.FLOAT64);
        assertThat(r.loss()).isCloseTo(Math.log(2), within(1e-15));
        assertThat(r.gradients().get("policy_chosen")[0]).isCloseTo(-0.05, within(1e-15));
        assertThat(r.gradients().get("policy_rejected")[0]).isCloseTo(0.05, within(1e-15));
    }
}
