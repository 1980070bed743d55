package io.dpo4j.zoo.aot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.types.DataType;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.check.LossCaseResult;
import io.dpo4j.testkit.HostBatch;
import io.dpo4j.testkit.ObjectiveContractKit;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("aot honours the objective contract")
class AotObjectiveTest extends ObjectiveContractKit {

    @Override
    protected PreferenceObjective objective() {
        return new AotObjective();
    }

    @Override
    protected String expectedId() {
        return AotObjective.ID;
    }

    private static HostBatch batch(double[] pw, double[] pl, double[] rw, double[] rl) {
        double[] ones = new double[pw.length];
        java.util.Arrays.fill(ones, 3);
        return new HostBatch(DataLayout.PAIRED, Map.of(Statistic.POLICY_CHOSEN, pw, Statistic.POLICY_REJECTED, pl,
                Statistic.REFERENCE_CHOSEN, rw, Statistic.REFERENCE_REJECTED, rl, Statistic.CHOSEN_TOKENS, ones,
                Statistic.REJECTED_TOKENS, ones));
    }

    @Test
    @DisplayName("a batch of one is dpo with cDPO smoothing")
    void batchOfOneIsDpo() {
        double beta = 0.3;
        double eps = 0.2;
        double h = (-4.0 - -5.0) - (-7.5 - -6.0);
        double z = beta * h;
        double want = (1 - eps) * Math.log1p(Math.exp(-z)) + eps * Math.log1p(Math.exp(z));
        LossCaseResult r = evaluate(objective().configure(Map.of("beta", beta, "label_smoothing", eps)),
                batch(new double[] {-4}, new double[] {-7.5}, new double[] {-5}, new double[] {-6}), DataType.FLOAT64);
        assertThat(r.loss()).isCloseTo(want, within(1e-14));
    }

    @Test
    @DisplayName("the k-th smallest policy margin meets the k-th smallest reference margin, not its own pair's")
    void matchesAcrossPairs() {
        // pair 0: policy margin 3, reference margin −2; pair 1: policy margin −1, reference margin 4.
        // Sorted: (−1 ↔ −2) and (3 ↔ 4): β·(u − v) = 0.1 and −0.1.
        HostBatch b = batch(new double[] {-2, -6}, new double[] {-5, -5}, new double[] {-7, -1}, new double[] {-5, -5});
        LossCaseResult r = evaluate(objective().configureDefaults(), b, DataType.FLOAT64);
        double want = (Math.log1p(Math.exp(-0.1)) + Math.log1p(Math.exp(0.1))) / 2;
        assertThat(r.loss()).isCloseTo(want, within(1e-14));
        // pair 0 sits in the slot with z = −0.1, pair 1 in the slot with z = +0.1; ∂/∂πl = −∂/∂πw
        double[] gw = r.gradients().get("policy_chosen");
        double[] gl = r.gradients().get("policy_rejected");
        assertThat(gw[0]).isCloseTo(-0.1 / 2 / (1 + Math.exp(-0.1)), within(1e-14));
        assertThat(gw[1]).isCloseTo(-0.1 / 2 / (1 + Math.exp(0.1)), within(1e-14));
        assertThat(gl[0]).isEqualTo(-gw[0]);
        assertThat(gl[1]).isEqualTo(-gw[1]);
    }
}
