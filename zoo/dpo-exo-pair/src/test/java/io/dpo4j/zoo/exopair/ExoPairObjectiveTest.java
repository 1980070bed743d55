package io.dpo4j.zoo.exopair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.types.DataType;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.InvalidHyperparametersException;
import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.api.Statistic;
import io.dpo4j.testkit.HostBatch;
import io.dpo4j.testkit.ObjectiveContractKit;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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

    @Test
    @DisplayName("label_smoothing = 0 is a configuration error (log 0), not silently replaced")
    void zeroSmoothingRefused() {
        assertThatThrownBy(() -> objective().configure(Map.of("label_smoothing", 0.0)))
                .isInstanceOf(InvalidHyperparametersException.class)
                .hasMessageContaining("label_smoothing = 0.0: must be in (0, 0.5)");
    }

    @Test
    @DisplayName("the loss is zero at x = log((1−ε)/ε), its minimum, and grows beyond it")
    void minimumAtTheTarget() {
        double eps = 1e-3;
        double beta = 0.1;
        double h = Math.log((1 - eps) / eps) / beta;
        double atTarget = loss(h, beta);
        assertThat(atTarget).isCloseTo(0.0, within(1e-12));
        assertThat(loss(h + 5, beta)).isGreaterThan(atTarget);
        assertThat(loss(h - 5, beta)).isGreaterThan(atTarget);
    }

    private double loss(double margin, double beta) {
        HostBatch b = new HostBatch(DataLayout.PAIRED, Map.of(Statistic.POLICY_CHOSEN, new double[] {-10},
                Statistic.REFERENCE_CHOSEN, new double[] {-10 - margin}, Statistic.POLICY_REJECTED, new double[] {-20},
                Statistic.REFERENCE_REJECTED, new double[] {-20}, Statistic.CHOSEN_TOKENS, new double[] {5},
                Statistic.REJECTED_TOKENS, new double[] {5}));
        return evaluate(objective().configure(Map.of("beta", beta)), b, DataType.FLOAT64).loss();
    }
}
