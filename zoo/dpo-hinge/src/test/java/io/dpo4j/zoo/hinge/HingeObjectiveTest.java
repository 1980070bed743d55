package io.dpo4j.zoo.hinge;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("hinge honours the objective contract")
class HingeObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new HingeObjective();
    }

    @Override
    protected String expectedId() {
        return HingeObjective.ID;
    }
}
