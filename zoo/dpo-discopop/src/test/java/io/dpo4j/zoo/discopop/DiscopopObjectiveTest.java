package io.dpo4j.zoo.discopop;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("discopop honours the objective contract")
class DiscopopObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new DiscopopObjective();
    }

    @Override
    protected String expectedId() {
        return DiscopopObjective.ID;
    }
}
