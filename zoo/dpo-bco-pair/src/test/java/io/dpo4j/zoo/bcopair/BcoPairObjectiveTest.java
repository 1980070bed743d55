package io.dpo4j.zoo.bcopair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.types.DataType;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.check.LossCaseEvaluator;
import io.dpo4j.api.check.LossCaseResult;
import io.dpo4j.testkit.Batches;
import io.dpo4j.testkit.HostBatch;
import io.dpo4j.testkit.ObjectiveContractKit;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

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

    @Test
    @DisplayName("δ is the batch mean of the 2B rewards, reported as the metric 'delta' and as the stop-gradient term")
    void deltaIsDeclared() {
        HostBatch batch = Batches.realistic(new Random(2), DataLayout.PAIRED, 5, 3.0);
        ConfiguredObjective o = objective().configureDefaults();
        double[] pw = batch.column(Statistic.POLICY_CHOSEN);
        double[] rw = batch.column(Statistic.REFERENCE_CHOSEN);
        double[] pl = batch.column(Statistic.POLICY_REJECTED);
        double[] rl = batch.column(Statistic.REFERENCE_REJECTED);
        double sum = 0;
        for (int i = 0; i < pw.length; i++) {
            sum += 0.1 * (pw[i] - rw[i]) + 0.1 * (pl[i] - rl[i]);
        }
        double delta = sum / (2 * pw.length);
        Map<String, Double> held = LossCaseEvaluator.stopGradientTerms(o, batch.toLossCase(o.id(), Map.of()), manager());
        assertThat(held).containsOnlyKeys("delta");
        assertThat(held.get("delta")).isCloseTo(delta, within(1e-14));
        assertThat(evaluate(o, batch, DataType.FLOAT64).metrics().get("delta")).isCloseTo(delta, within(1e-14));
        assertThat(o.requirements().batchCoupled()).isTrue();
    }

    @Test
    @DisplayName("the gradient is not the derivative through δ: differentiating through it differs by β/(2B)·Σ σ-terms")
    void gradientDropsTheShift() {
        HostBatch batch = Batches.realistic(new Random(4), DataLayout.PAIRED, 5, 3.0);
        ConfiguredObjective o = objective().configureDefaults();
        LossCaseResult auto = evaluate(o, batch, DataType.FLOAT64);
        double[] pw = batch.column(Statistic.POLICY_CHOSEN);
        double step = 1e-5;
        double up = evaluate(o, batch.with(Statistic.POLICY_CHOSEN, 0, pw[0] + step), DataType.FLOAT64).loss();
        double down = evaluate(o, batch.with(Statistic.POLICY_CHOSEN, 0, pw[0] - step), DataType.FLOAT64).loss();
        double throughDelta = (up - down) / (2 * step);
        assertThat(Math.abs(throughDelta - auto.gradients().get("policy_chosen")[0]))
                .as("difference between d(loss value) and the stop-gradient gradient").isGreaterThan(1e-6);
    }

    @Test
    @DisplayName("reward_shift = false: no δ, no stop-gradient term, not batch-coupled (TRL >= 0.29)")
    void withoutShift() {
        ConfiguredObjective o = objective().configure(Map.of("reward_shift", false));
        HostBatch batch = Batches.realistic(new Random(6), DataLayout.PAIRED, 5, 3.0);
        assertThat(o.requirements().batchCoupled()).isFalse();
        assertThat(LossCaseEvaluator.stopGradientTerms(o, batch.toLossCase(o.id(), Map.of()), manager())).isEmpty();
        assertThat(evaluate(o, batch, DataType.FLOAT64).metrics().get("delta")).isZero();
    }
}
