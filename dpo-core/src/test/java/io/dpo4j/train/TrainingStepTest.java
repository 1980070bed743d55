package io.dpo4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.kernel.NaiveLogProbKernel;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.TinyModels;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.core.train.AdamW;
import io.dpo4j.core.train.Gradients;
import io.dpo4j.core.train.ReferenceCache;
import io.dpo4j.core.train.SequenceScorer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("TrainingStep: one optimizer step as the training loop takes it")
class TrainingStepTest {

    private static final LlamaConfig CONFIG = TinyModels.defaultConfig(48, 1, 0);

    private static List<TokenizedPair> pairs() {
        SplittableRandom r = new SplittableRandom(3);
        List<TokenizedPair> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            out.add(new TokenizedPair("p" + i, "test:" + i, ids(r, 2 + i), ids(r, 4), ids(r, 3 + i), false));
        }
        return out;
    }

    private static TokenIds ids(SplittableRandom r, int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = 2 + r.nextInt(CONFIG.vocabSize() - 2);
        }
        return TokenIds.of(ids);
    }

    private static ReferenceCache reference(LlamaModel model, List<TokenizedPair> pairs, LogProbKernel kernel) {
        List<TokenIds> prompts = new ArrayList<>();
        List<TokenIds> responses = new ArrayList<>();
        for (TokenizedPair p : pairs) {
            prompts.add(p.prompt());
            responses.add(p.chosen());
            prompts.add(p.prompt());
            responses.add(p.rejected());
        }
        ReferenceCache cache = ReferenceCache.empty();
        try (NDManager m = NDManager.newBaseManager()) {
            double[] v = new SequenceScorer(model, kernel, 0, 8).score(prompts, responses, m, null);
            for (int i = 0; i < v.length; i++) {
                cache.put(ReferenceCache.Key.of(prompts.get(i).toArray(), responses.get(i).toArray()), v[i]);
            }
        }
        return cache;
    }

    @Test
    @DisplayName("equals ObjectiveStep + global-norm clipping + AdamW done by hand, and starts at DPO's ln 2")
    void equalsTheLoopsStep() {
        List<TokenizedPair> pairs = pairs();
        LogProbKernel kernel = new NaiveLogProbKernel();
        ConfiguredObjective dpo = new DpoObjective().configureDefaults();
        try (LlamaModel a = TinyModels.randomInit(CONFIG, 5); LlamaModel b = TinyModels.randomInit(CONFIG, 5)) {
            ReferenceCache cache = reference(a, pairs, kernel);
            double[] losses = new double[2];
            try (TrainingStep step = TrainingStep.builder(a, dpo).reference(cache).kernel(kernel)
                    .batchLayout(io.dpo4j.core.train.BatchLayout.padded()) // the by-hand step below lays out padded rows
                    .optimizer(OptimizerSettings.adamW(1e-2)).build()) {
                losses[0] = step.run(pairs).loss();
                losses[1] = step.run(pairs).loss();
            }
            assertThat(losses[0]).isCloseTo(Math.log(2), within(1e-6));
            assertThat(losses[1]).isLessThan(losses[0]);

            b.setTrainable(true);
            ObjectiveStep plain = new ObjectiveStep(dpo, kernel, cache, 0);
            try (NDManager root = NDManager.newBaseManager(); AdamW adam = new AdamW(root, 0.9, 0.999, 1e-8, 0)) {
                for (int s = 0; s < 2; s++) {
                    plain.train(b, StepBatch.paired(pairs), 1.0, root);
                    try (NDManager scratch = root.newSubManager()) {
                        Gradients.clipGlobalNorm(b.trainableParameters(), 1.0, scratch);
                    }
                    adam.update(b.trainableParameters(), 1e-2);
                    Gradients.zero(b.trainableParameters());
                }
            }
            for (Map.Entry<String, NDArray> e : a.parameters().entrySet()) {
                float[] x = e.getValue().toFloatArray();
                float[] y = b.parameters().get(e.getKey()).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    // bit for bit: the step allocates its gradient buffers and moments up front, the by-hand
                    // path lazily (autograd at the first backward, AdamW at the first update)
                    assertThat(x[i]).as(e.getKey() + "[" + i + "]").isEqualTo(y[i]);
                }
            }
        }
    }

    @Test
    @DisplayName("refuses an objective that reads reference statistics when none are given, and an empty batch")
    void refusals() {
        try (LlamaModel a = TinyModels.randomInit(CONFIG, 5)) {
            assertThatThrownBy(() -> TrainingStep.builder(a, new DpoObjective().configureDefaults()).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("reference");
            try (TrainingStep step = TrainingStep.builder(a, new DpoObjective().configure(Map.of("reference_free", true)))
                    .build()) {
                assertThatThrownBy(() -> step.run(List.of())).hasMessageContaining("at least one pair");
            }
        }
    }
}
