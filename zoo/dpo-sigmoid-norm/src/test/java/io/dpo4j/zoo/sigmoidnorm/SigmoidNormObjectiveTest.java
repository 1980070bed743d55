package io.dpo4j.zoo.sigmoidnorm;

import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.testkit.ObjectiveContractKit;
import org.junit.jupiter.api.DisplayName;

@DisplayName("sigmoid_norm honours the objective contract")
class SigmoidNormObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new SigmoidNormObjective();
    }

    @Override
    protected String expectedId() {
        return SigmoidNormObjective.ID;
    }
}
