package io.dpo4j.zoo.apodown;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("apo_down honours the objective contract")
class ApoDownObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new ApoDownObjective();
    }

    @Override
    protected String expectedId() {
        return ApoDownObjective.ID;
    }
}
