package org.example.objectives;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("simper honours the objective contract")
class SimperObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new SimperObjective();
    }

    @Override
    protected String expectedId() {
        return SimperObjective.ID;
    }
}
