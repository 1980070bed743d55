package io.dpo4j.simpo;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("simpo honours the objective contract")
class SimpoObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new SimpoObjective();
    }

    @Override
    protected String expectedId() {
        return SimpoObjective.ID;
    }
}
