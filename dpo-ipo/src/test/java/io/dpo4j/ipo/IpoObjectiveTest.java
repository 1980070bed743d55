package io.dpo4j.ipo;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("ipo honours the objective contract")
class IpoObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new IpoObjective();
    }

    @Override
    protected String expectedId() {
        return IpoObjective.ID;
    }
}
