package io.dpo4j.orpo;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("orpo honours the objective contract")
class OrpoObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new OrpoObjective();
    }

    @Override
    protected String expectedId() {
        return OrpoObjective.ID;
    }
}
