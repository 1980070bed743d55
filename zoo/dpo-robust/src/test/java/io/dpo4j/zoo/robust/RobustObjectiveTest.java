package io.dpo4j.zoo.robust;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("robust honours the objective contract")
class RobustObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new RobustObjective();
    }

    @Override
    protected String expectedId() {
        return RobustObjective.ID;
    }
}
