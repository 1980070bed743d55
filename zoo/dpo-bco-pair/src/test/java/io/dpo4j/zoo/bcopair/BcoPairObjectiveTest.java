package io.dpo4j.zoo.bcopair;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("bco_pair honours the objective contract")
class BcoPairObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new BcoPairObjective();
    }

    @Override
    protected String expectedId() {
        return BcoPairObjective.ID;
    }
}
