package io.dpo4j.zoo.rdpo;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("rdpo honours the objective contract")
class RdpoObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new RdpoObjective();
    }

    @Override
    protected String expectedId() {
        return RdpoObjective.ID;
    }
}
