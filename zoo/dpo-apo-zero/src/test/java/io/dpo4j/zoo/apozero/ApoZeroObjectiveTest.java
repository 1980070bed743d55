package io.dpo4j.zoo.apozero;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("apo_zero honours the objective contract")
class ApoZeroObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new ApoZeroObjective();
    }

    @Override
    protected String expectedId() {
        return ApoZeroObjective.ID;
    }
}
