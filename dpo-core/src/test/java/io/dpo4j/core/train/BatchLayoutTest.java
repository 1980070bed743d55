package io.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.math.ObjectiveMath;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.kernel.KernelForward;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.lora.LoraAdapter;
import io.dpo4j.core.lora.LoraSettings;
import io.dpo4j.core.lora.TargetModules;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.TinyModels;
import io.dpo4j.core.model.TrunkPass;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("Prompt sharing and packing: the same log-probs and gradients as padded rows")
class BatchLayoutTest {

    private static final int PAD = 0;
    private static final LlamaConfig CONFIG = LlamaConfig.builder().vocabSize(37).hiddenSize(24).intermediateSize(40)
            .numLayers(3).numHeads(6).numKeyValueHeads(3).headDim(6).attentionBias(true).tieWordEmbeddings(false)
            .build();

    /** The layouts compared against {@link BatchLayout#padded()}. */
    enum Variant {
        SHARED(BatchLayout.padded().withSharing(BatchLayout.Sharing.ON)),
        PACKED(BatchLayout.padded().withPacking(0)),
        PACKED_DENSE(BatchLayout.padded().withPacking(64)),
        SHARED_PACKED(BatchLayout.padded().withSharing(BatchLayout.Sharing.ON).withPacking(0)),
        SHARED_PACKED_DENSE(BatchLayout.padded().withSharing(BatchLayout.Sharing.ON).withPacking(1000));

        final BatchLayout layout;

        Variant(BatchLayout layout) {
            this.layout = layout;
        }
    }

    /** Pairs as the step orders them: every chosen sequence, then every rejected one; prompts of different lengths. */
    private static List<TokenIds[]> pairs(long seed, int count) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TokenIds[]> chosen = new ArrayList<>();
        List<TokenIds[]> rejected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            TokenIds prompt = ids(random, 1 + random.nextInt(9));
            chosen.add(new TokenIds[] {prompt, ids(random, 1 + random.nextInt(7))});
            rejected.add(new TokenIds[] {prompt, ids(random, 1 + random.nextInt(7))});
        }
        chosen.addAll(rejected);
        return chosen;
    }

    private static TokenIds ids(SplittableRandom random, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = 1 + random.nextInt(CONFIG.vocabSize() - 1);
        }
        return TokenIds.of(out);
    }

    private record Result(double[] logProbs, Map<String, double[]> gradients) {
    }

    /** Log-probs, and the gradients of Σ g_s · logp_s, through the trunk and the chunked kernel. */
    private static Result run(LlamaModel model, BatchLayout layout, List<TokenIds[]> sequences, boolean checkpoint,
            LogProbKernel kernel) {
        List<TokenIds> prompts = sequences.stream().map(s -> s[0]).toList();
        List<TokenIds> responses = sequences.stream().map(s -> s[1]).toList();
        double[] weights = new double[sequences.size()];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.sin(3.0 * i + 1);
        }
        double[] values;
        try (NDManager step = model.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            ScoringBatch batch = layout.arrange(prompts, responses, PAD, CONFIG, step);
            TrunkPass pass = batch.trainingPass(model, step, checkpoint, 7);
            try (KernelForward f = kernel.forward(batch.kernelInput(step, pass.hidden(), model.lmHeadWeight()), gc)) {
                values = ObjectiveMath.toDoubles(f.statistics().logProbs());
                assertThat(ObjectiveMath.toDoubles(batch.responseTokens()))
                        .containsExactly(responses.stream().mapToDouble(TokenIds::length).toArray());
                f.backward(step.create(weights).toType(f.statistics().logProbs().getDataType(), false));
            }
            pass.backward();
        }
        Map<String, double[]> grads = new LinkedHashMap<>();
        model.trainableParameters().forEach((name, p) -> {
            try (NDArray g = p.getGradient()) {
                grads.put(name, ObjectiveMath.toDoubles(g));
                ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p);
            }
        });
        return new Result(values, grads);
    }

    /** The no-grad scoring path (reference pass, evaluation). */
    private static double[] score(LlamaModel model, BatchLayout layout, List<TokenIds[]> sequences) {
        try (NDManager root = model.manager().newSubManager()) {
            return new SequenceScorer(model, KernelType.CHUNKED.create(), PAD, 5, layout).score(
                    sequences.stream().map(s -> s[0]).toList(), sequences.stream().map(s -> s[1]).toList(), root, null);
        }
    }

    private static void assertClose(Result expected, Result actual, double tolerance) {
        assertThat(actual.logProbs()).hasSameSizeAs(expected.logProbs());
        for (int i = 0; i < expected.logProbs().length; i++) {
            assertThat(Math.abs(actual.logProbs()[i] - expected.logProbs()[i])).as("log-prob %d", i)
                    .isLessThanOrEqualTo(tolerance * Math.max(1, Math.abs(expected.logProbs()[i])));
        }
        assertThat(actual.gradients().keySet()).containsExactlyElementsOf(expected.gradients().keySet());
        expected.gradients().forEach((name, e) -> {
            double[] a = actual.gradients().get(name);
            double scale = 0;
            for (double v : e) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertThat(scale).as("%s has a gradient", name).isGreaterThan(0);
            for (int i = 0; i < e.length; i++) {
                assertThat(Math.abs(a[i] - e[i])).as("%s[%d]", name, i).isLessThanOrEqualTo(tolerance * scale);
            }
        });
    }

    private static LlamaModel model(long seed) {
        LlamaModel model = TinyModels.randomInit(CONFIG, seed);
        // larger weights than Llama's init, so attention is far from uniform and a mask error shows
        model.parameters().forEach((name, p) -> {
            if (name.endsWith("proj.weight")) {
                float[] v = p.toFloatArray();
                SplittableRandom r = new SplittableRandom(seed + name.hashCode());
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (0.4 * r.nextGaussian());
                }
                p.set(v);
            }
        });
        model.setTrainable(true);
        return model;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Variant.class)
    @DisplayName("full fine-tuning: log-probs and gradients equal the padded rows' to 1e-5")
    void fullModel(Variant variant) {
        List<TokenIds[]> sequences = pairs(11, 5);
        try (LlamaModel model = model(1)) {
            Result padded = run(model, BatchLayout.padded(), sequences, false, KernelType.CHUNKED.create());
            Result other = run(model, variant.layout, sequences, false, KernelType.CHUNKED.create());
            assertClose(padded, other, 1e-5);
            assertThat(score(model, variant.layout, sequences)).containsExactly(score(model, BatchLayout.padded(),
                    sequences), org.assertj.core.data.Offset.offset(1e-4));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Variant.class, names = {"SHARED", "SHARED_PACKED"})
    @DisplayName("with activation checkpointing and the naive kernel: equal to 1e-5")
    void checkpointing(Variant variant) {
        List<TokenIds[]> sequences = pairs(12, 4);
        try (LlamaModel model = model(2)) {
            Result padded = run(model, BatchLayout.padded(), sequences, false, KernelType.NAIVE.create());
            Result other = run(model, variant.layout, sequences, true, KernelType.NAIVE.create());
            assertClose(padded, other, 1e-5);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Variant.class)
    @DisplayName("in float64: log-probs and gradients equal the padded rows' to 1e-10")
    void float64(Variant variant) {
        List<TokenIds[]> sequences = pairs(14, 4);
        try (LlamaModel single = model(5)) {
            NDManager manager = NDManager.newBaseManager();
            Map<String, NDArray> wide = new LinkedHashMap<>();
            single.parameters().forEach((name, p) -> {
                NDArray w = p.toType(ai.djl.ndarray.types.DataType.FLOAT64, true);
                w.attach(manager);
                wide.put(name, w);
            });
            try (LlamaModel model = LlamaModel.of(CONFIG, manager, wide)) {
                model.setTrainable(true);
                Result padded = run(model, BatchLayout.padded(), sequences, false, KernelType.CHUNKED.create());
                Result other = run(model, variant.layout, sequences, variant.ordinal() % 2 == 0,
                        KernelType.CHUNKED.create());
                assertClose(padded, other, 1e-10);
            }
        }
    }

    @Test
    @DisplayName("LoRA (all linear layers), shared and packed, checkpointed: equal to 1e-5")
    void lora() {
        List<TokenIds[]> sequences = pairs(13, 4);
        try (LlamaModel model = model(3)) {
            LoraAdapter adapter = LoraAdapter.create(model, new LoraSettings(4, 8, 0.0,
                    TargetModules.regex(TargetModules.ALL_LINEAR), false), 5);
            model.attachAdapter(adapter);
            adapter.parameters().values().forEach(p -> {
                float[] v = p.toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = 0.2f * (float) Math.sin(i + v.length);
                }
                p.set(v);
            });
            Result padded = run(model, BatchLayout.padded(), sequences, false, KernelType.CHUNKED.create());
            Result other = run(model, Variant.SHARED_PACKED.layout, sequences, true, KernelType.CHUNKED.create());
            assertClose(padded, other, 1e-5);
        }
    }

    @Test
    @DisplayName("one token prompts and responses, equal prompts across pairs, a batch of one pair")
    void edgeCases() {
        TokenIds p = TokenIds.of(5);
        TokenIds q = TokenIds.of(5, 6, 7);
        List<TokenIds[]> sequences = List.of(new TokenIds[] {p, TokenIds.of(3)}, new TokenIds[] {q, TokenIds.of(4, 9)},
                new TokenIds[] {p, TokenIds.of(8, 8, 8, 8)}, new TokenIds[] {p, TokenIds.of(2)},
                new TokenIds[] {q, TokenIds.of(1)});
        try (LlamaModel model = model(4)) {
            Result padded = run(model, BatchLayout.padded(), sequences, false, KernelType.CHUNKED.create());
            for (Variant v : Variant.values()) {
                assertClose(padded, run(model, v.layout, sequences, false, KernelType.CHUNKED.create()), 1e-5);
            }
            List<TokenIds[]> one = List.of(new TokenIds[] {q, TokenIds.of(3)}, new TokenIds[] {q, TokenIds.of(4, 9)});
            assertClose(run(model, BatchLayout.padded(), one, false, KernelType.CHUNKED.create()),
                    run(model, Variant.SHARED.layout, one, false, KernelType.CHUNKED.create()), 1e-5);
        }
    }
}
