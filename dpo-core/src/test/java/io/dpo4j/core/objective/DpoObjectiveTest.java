package io.dpo4j.core.objective;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("dpo honours the objective contract")
class DpoObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new DpoObjective();
    }

    @Override
    protected String expectedId() {
        return DpoObjective.ID;
    }
}
