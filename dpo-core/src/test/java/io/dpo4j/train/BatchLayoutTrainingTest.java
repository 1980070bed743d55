package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dpo4j.core.train.BatchLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Prompt sharing and packing through fit(): the padded rows' losses, gradients and evaluations")
class BatchLayoutTrainingTest {

    /** The first step's loss and gradient norm, and the evaluation before any update, by name. */
    private static Map<String, Double> firstStep(BatchLayout layout, boolean checkpointing) throws Exception {
        return firstStep(layout, checkpointing, null);
    }

    private static Map<String, Double> firstStep(BatchLayout layout, boolean checkpointing,
            io.dpo4j.core.data.TruncationSettings truncation) throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        List<StepEvent> steps = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void onStep(TrainingContext c, StepEvent e) {
                steps.add(e);
            }
        };
        PreferenceTraining.Builder b = PreferenceTrainingTest.small();
        if (truncation != null) {
            b.truncation(truncation);
        }
        try (TrainingResult result = b.steps(1).gradientAccumulation(2)
                .objective(PreferenceTrainingTest.dpo(0.1)).activationCheckpointing(checkpointing)
                .evaluation(EvaluationSettings.defaults().withEvery(5).withSampling(0, 4)).batchLayout(layout)
                .listener(l).build().fit()) {
            out.put("loss", steps.get(0).loss());
            out.put("grad_norm", steps.get(0).gradNorm());
            out.put("tokens", (double) steps.get(0).tokens());
            steps.get(0).metrics().forEach((k, v) -> out.put("train " + k, v));
            result.firstEvaluation().forEach((k, v) -> out.put("first " + k, v));
        }
        return out;
    }

    /**
     * Equal to 1e-5, except the counts of exact comparisons (ties, accuracies): before the first update the policy
     * is the reference, so every reward is 0 up to rounding, and whether one is exactly 0 or above another depends
     * on the rounding of rows laid out differently.
     */
    private static void assertClose(Map<String, Double> expected, Map<String, Double> actual) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((k, e) -> {
            if (!k.endsWith("ties") && !k.endsWith("accuracies")) {
                assertThat(actual.get(k)).as(k).isCloseTo(e, within(1e-5 * Math.max(1, Math.abs(e))));
            }
        });
    }

    @Test
    @DisplayName("shared prompts, packed rows, both, and auto: the same first step and evaluation as padded rows")
    void layouts() throws Exception {
        Map<String, Double> padded = firstStep(BatchLayout.padded(), false);
        assertThat(padded.get("grad_norm")).isPositive();
        assertClose(padded, firstStep(BatchLayout.padded().withSharing(BatchLayout.Sharing.ON), false));
        assertClose(padded, firstStep(BatchLayout.padded().withPacking(0), false));
        assertClose(padded, firstStep(BatchLayout.padded().withSharing(BatchLayout.Sharing.ON).withPacking(0), true));
        assertClose(padded, firstStep(BatchLayout.defaults(), false));
    }

    @Test
    @DisplayName("truncated data (prompts cut from the left, responses cut): shared and packed equal padded rows")
    void truncated() throws Exception {
        io.dpo4j.core.data.TruncationSettings cut = new io.dpo4j.core.data.TruncationSettings(2, 2, 4,
                io.dpo4j.core.data.TruncationPolicy.TRUNCATE);
        Map<String, Double> padded = firstStep(BatchLayout.padded(), false, cut);
        // 8 pairs, every response cut to at most 2 tokens (uncut, they are longer)
        assertThat(padded.get("tokens")).isLessThanOrEqualTo(16 * 2.0)
                .isLessThan(firstStep(BatchLayout.padded(), false).get("tokens"));
        assertClose(padded, firstStep(BatchLayout.padded().withSharing(BatchLayout.Sharing.ON).withPacking(0), false,
                cut));
    }
}
