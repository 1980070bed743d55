package io.dpo4j.zoo.exopair;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("exo_pair honours the objective contract")
class ExoPairObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new ExoPairObjective();
    }

    @Override
    protected String expectedId() {
        return ExoPairObjective.ID;
    }
}
