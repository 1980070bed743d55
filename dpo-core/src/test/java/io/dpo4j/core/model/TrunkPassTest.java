package io.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.dpo4j.core.lora.LoraAdapter;
import io.dpo4j.core.lora.LoraSettings;
import io.dpo4j.core.lora.TargetModules;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Activation checkpointing")
class TrunkPassTest {

    private static final LlamaConfig CONFIG = LlamaConfig.builder().vocabSize(30).hiddenSize(24).intermediateSize(40)
            .numLayers(3).numHeads(6).numKeyValueHeads(3).headDim(6).attentionBias(true).tieWordEmbeddings(true)
            .build();
    private static final long[] IDS = {3, 7, 1, 9, 4, 2, 8, 0, 5, 6, 11, 12, 13, 0, 0, 0};
    private static final long[] MASK = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};

    /** Gradients of a loss over every position's log-probs, by parameter name, after one forward/backward. */
    private static Map<String, float[]> gradients(LlamaModel model, boolean checkpoint, long seed) {
        try (NDManager step = model.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray positions = step.arange(0, 8).toType(DataType.INT64, false).reshape(1, 8).repeat(0, 2);
            TrunkPass pass = model.trainingPass(step.create(IDS, new Shape(2, 8)), step.create(MASK, new Shape(2, 8)),
                    positions, checkpoint, seed);
            assertThat(pass.checkpointed()).isEqualTo(checkpoint);
            NDArray logits = model.logits(pass.hidden());
            gc.backward(logits.logSoftmax(-1).get(new ai.djl.ndarray.index.NDIndex(":, :, 1")).mean().neg());
            pass.backward();
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        model.trainableParameters().forEach((name, p) -> {
            try (NDArray g = p.getGradient()) {
                out.put(name, g.toFloatArray());
                ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p);
            }
        });
        return out;
    }

    private static void assertSame(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, e) -> {
            float[] a = actual.get(name);
            boolean nonZero = false;
            for (int i = 0; i < e.length; i++) {
                assertThat(a[i]).as("%s[%d]", name, i).isCloseTo(e[i], within(1e-6f));
                nonZero |= e[i] != 0;
            }
            assertThat(nonZero).as("%s has a gradient", name).isTrue();
        });
    }

    @Test
    @DisplayName("full fine-tuning: checkpointed gradients equal the recorded ones to 1e-6, embedding included")
    void fullModel() {
        try (LlamaModel model = TinyModels.randomInit(CONFIG, 1)) {
            ModelFixtures.randomize(model, 2);
            model.setTrainable(true);
            Map<String, float[]> plain = gradients(model, false, 0);
            Map<String, float[]> checkpointed = gradients(model, true, 0);
            assertSame(plain, checkpointed);
        }
    }

    @Test
    @DisplayName("LoRA with dropout: checkpointed gradients equal the recorded ones (the masks are redrawn equal)")
    void loraWithDropout() {
        try (LlamaModel model = TinyModels.randomInit(CONFIG, 3)) {
            ModelFixtures.randomize(model, 4);
            LoraAdapter adapter = LoraAdapter.create(model, new LoraSettings(4, 8, 0.3,
                    TargetModules.regex(TargetModules.ALL_LINEAR), false), 5);
            model.attachAdapter(adapter);
            adapter.parameters().values().forEach(p -> {
                float[] v = p.toFloatArray();
                for (int i = 0; i < v.length; i++) {
                    v[i] = 0.1f * (float) Math.sin(i + v.length);
                }
                p.set(v);
            });
            Map<String, float[]> plain = gradients(model, false, 42);
            Map<String, float[]> checkpointed = gradients(model, true, 42);
            assertSame(plain, checkpointed);
            // and the dropout is real: another seed gives other gradients
            Map<String, float[]> other = gradients(model, false, 43);
            assertThat(other.get(LoraAdapter.key("model.layers.0.self_attn.q_proj", "B")))
                    .isNotEqualTo(plain.get(LoraAdapter.key("model.layers.0.self_attn.q_proj", "B")));
        }
    }

    @Test
    @DisplayName("a checkpointed forward keeps one array per layer on the step manager, not the layers' intermediates")
    void checkpointedForwardKeepsOnlyLayerInputs() {
        try (LlamaModel model = TinyModels.randomInit(CONFIG, 7)) {
            LoraAdapter adapter = LoraAdapter.create(model, new LoraSettings(2, 4, 0, TargetModules.regex(
                    TargetModules.ALL_LINEAR), false), 1);
            model.attachAdapter(adapter);
            int[] counts = new int[2];
            for (int mode = 0; mode < 2; mode++) {
                try (NDManager step = model.manager().newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray positions = step.arange(0, 8).toType(DataType.INT64, false).reshape(1, 8).repeat(0, 2);
                    NDArray ids = step.create(IDS, new Shape(2, 8));
                    NDArray mask = step.create(MASK, new Shape(2, 8));
                    int before = step.getManagedArrays().size();
                    model.trainingPass(ids, mask, positions, mode == 1, 0);
                    counts[mode] = step.getManagedArrays().size() - before;
                }
            }
            // three layers: a layer's dozens of intermediates never land on the step
            assertThat(counts[1]).isLessThan(30);
            assertThat(counts[0]).isLessThan(30);
        }
    }

    @Test
    @DisplayName("a no-grad forward leaves nothing on the step manager but its result and inputs")
    void noGradForwardFreesLayers() {
        try (LlamaModel model = TinyModels.randomInit(CONFIG, 6); NDManager step = model.manager().newSubManager()) {
            NDArray ids = step.create(IDS, new Shape(2, 8));
            NDArray mask = step.create(MASK, new Shape(2, 8));
            NDArray positions = step.arange(0, 8).toType(DataType.INT64, false).reshape(1, 8).repeat(0, 2);
            int before = step.getManagedArrays().size();
            model.hiddenStates(ids, mask, positions);
            // the result, the rotary cos/sin and the mask, and their few helpers: independent of the layer count
            int after = step.getManagedArrays().size();
            try (LlamaModel deeper = TinyModels.randomInit(LlamaConfig.builder().vocabSize(30).hiddenSize(24)
                    .intermediateSize(40).numLayers(6).numHeads(6).numKeyValueHeads(3).headDim(6).build(), 6);
                    NDManager step2 = deeper.manager().newSubManager()) {
                NDArray ids2 = step2.create(IDS, new Shape(2, 8));
                NDArray mask2 = step2.create(MASK, new Shape(2, 8));
                NDArray positions2 = step2.arange(0, 8).toType(DataType.INT64, false).reshape(1, 8).repeat(0, 2);
                int before2 = step2.getManagedArrays().size();
                deeper.hiddenStates(ids2, mask2, positions2);
                assertThat(step2.getManagedArrays().size() - before2).isEqualTo(after - before);
            }
        }
    }
}
