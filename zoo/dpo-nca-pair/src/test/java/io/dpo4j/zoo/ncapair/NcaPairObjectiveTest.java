package io.dpo4j.zoo.ncapair;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("nca_pair honours the objective contract")
class NcaPairObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new NcaPairObjective();
    }

    @Override
    protected String expectedId() {
        return NcaPairObjective.ID;
    }
}
