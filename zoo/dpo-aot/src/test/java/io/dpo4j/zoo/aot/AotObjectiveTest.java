package io.dpo4j.zoo.aot;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("aot honours the objective contract")
class AotObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new AotObjective();
    }

    @Override
    protected String expectedId() {
        return AotObjective.ID;
    }
}
