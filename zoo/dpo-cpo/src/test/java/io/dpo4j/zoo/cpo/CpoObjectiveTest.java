package io.dpo4j.zoo.cpo;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("cpo honours the objective contract")
class CpoObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new CpoObjective();
    }

    @Override
    protected String expectedId() {
        return CpoObjective.ID;
    }
}
