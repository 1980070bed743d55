package io.dpo4j.zoo.dpop;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

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
}
