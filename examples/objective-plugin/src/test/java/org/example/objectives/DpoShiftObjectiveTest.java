package org.example.objectives;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("dpo_shift honours the objective contract")
class DpoShiftObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new DpoShiftObjective();
    }

    @Override
    protected String expectedId() {
        return DpoShiftObjective.ID;
    }
}
