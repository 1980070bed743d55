package io.dpo4j.zoo.sppohard;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("sppo_hard honours the objective contract")
class SppoHardObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new SppoHardObjective();
    }

    @Override
    protected String expectedId() {
        return SppoHardObjective.ID;
    }
}
