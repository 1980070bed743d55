package io.dpo4j.kto;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("kto honours the objective contract")
class KtoObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new KtoObjective();
    }

    @Override
    protected String expectedId() {
        return KtoObjective.ID;
    }
}
