package io.dpo4j.zoo.fdpo;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("fdpo honours the objective contract")
class FdpoObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new FdpoObjective();
    }

    @Override
    protected String expectedId() {
        return FdpoObjective.ID;
    }
}
