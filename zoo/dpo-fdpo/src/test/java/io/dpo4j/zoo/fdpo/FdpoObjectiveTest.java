package io.dpo4j.zoo.fdpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.types.DataType;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.api.check.LossCaseResult;
import io.dpo4j.testkit.Batches;
import io.dpo4j.testkit.HostBatch;
import io.dpo4j.testkit.ObjectiveContractKit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("fdpo honours the objective contract")
class FdpoObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new FdpoObjective();
    }

    @Override
    protected String expectedId() {
        return FdpoObjective.ID;
    }

    /** alpha_divergence's α reaches its own code paths: α = 0, 0.2, and the reverse-KL fallback at 1. */
    @Override
    protected List<Map<String, Object>> parameterSets() {
        List<Map<String, Object>> sets = new ArrayList<>(super.parameterSets());
        for (double alpha : new double[] {0.0, 0.2, 1.0}) {
            sets.add(Map.of("divergence", "alpha_divergence", "alpha", alpha));
        }
        return sets;
    }

    private LossCaseResult run(Map<String, Object> params, HostBatch batch) {
        return evaluate(objective().configure(params), batch, DataType.FLOAT64);
    }

    @Test
    @DisplayName("forward_kl equals alpha_divergence at α = 0, also beyond the clamp (extreme gaps)")
    void forwardKlIsAlphaZero() {
        for (HostBatch batch : List.of(Batches.realistic(new Random(3), DataLayout.PAIRED, 6, 3.0),
                Batches.extreme(DataLayout.PAIRED, 1e4))) {
            LossCaseResult f = run(Map.of("divergence", "forward_kl"), batch);
            LossCaseResult a = run(Map.of("divergence", "alpha_divergence", "alpha", 0.0), batch);
            assertThat(f.loss()).isCloseTo(a.loss(), within(1e-12 * Math.abs(a.loss())));
            f.gradients().forEach((k, g) -> {
                for (int i = 0; i < g.length; i++) {
                    assertThat(g[i]).isCloseTo(a.gradients().get(k)[i], within(1e-12 * Math.abs(g[i]) + 1e-300));
                }
            });
        }
    }

    @Test
    @DisplayName("alpha_divergence is continuous at α = 1 (expm1 on one side, reverse KL on the other) and is dpo there")
    void continuousAtOne() {
        HostBatch batch = Batches.realistic(new Random(5), DataLayout.PAIRED, 6, 3.0);
        double nearOne = run(Map.of("divergence", "alpha_divergence", "alpha", 1 - 2e-6), batch).loss();
        double atOne = run(Map.of("divergence", "alpha_divergence", "alpha", 1.0), batch).loss();
        double reverse = run(Map.of(), batch).loss();
        assertThat(atOne).isEqualTo(reverse);
        assertThat(nearOne).isCloseTo(atOne, within(1e-5 * Math.abs(atOne)));
    }
}
