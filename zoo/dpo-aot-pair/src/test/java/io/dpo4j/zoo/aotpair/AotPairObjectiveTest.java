package io.dpo4j.zoo.aotpair;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("aot_pair honours the objective contract")
class AotPairObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new AotPairObjective();
    }

    @Override
    protected String expectedId() {
        return AotPairObjective.ID;
    }
}
