package io.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The decoder")
class LlamaModelTest {

    private static final LlamaConfig CONFIG = LlamaConfig.builder().vocabSize(30).hiddenSize(24).intermediateSize(40)
            .numLayers(2).numHeads(6).numKeyValueHeads(3).headDim(6).attentionBias(true).tieWordEmbeddings(true)
            .build();

    private static final long[] IDS = {3, 7, 1, 9, 4, 2, 8, 0, 5, 6, 11, 12, 13, 0, 0, 0};
    private static final long[] MASK = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};

    private static NDArray positions(NDManager m) {
        return m.arange(0, 8).toType(ai.djl.ndarray.types.DataType.INT64, false).reshape(1, 8).repeat(0, 2);
    }

    /** A scalar loss that reads every output position through the tied lm_head. */
    private static NDArray loss(LlamaModel model, NDManager step) {
        NDArray logits = model.logits(step.create(IDS, new Shape(2, 8)), step.create(MASK, new Shape(2, 8)),
                positions(step));
        return logits.logSoftmax(-1).get(new NDIndex(":, :, 1")).mean().neg();
    }

    @Test
    @DisplayName("repeated forward and backward passes in step managers add no arrays to the model's manager")
    void noLeakOntoModelManager() {
        try (LlamaModel model = TinyModels.randomInit(CONFIG, 1)) {
            model.setTrainable(true);
            NDManager modelManager = model.manager();
            int before = -1;
            for (int step = 0; step < 5; step++) {
                try (NDManager stepManager = modelManager.newSubManager();
                        GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(loss(model, stepManager));
                }
                int count = modelManager.getManagedArrays().size();
                if (step == 0) {
                    before = count;
                }
                assertThat(count).as("arrays on the model's manager after step %d", step).isEqualTo(before);
            }
            // inference and cached decoding leave nothing behind either
            try (NDManager stepManager = modelManager.newSubManager(); KvCache cache = model.newCache(stepManager)) {
                model.hiddenStates(stepManager.create(IDS, new Shape(2, 8)), stepManager.create(MASK, new Shape(2, 8)),
                        positions(stepManager), cache);
            }
            assertThat(modelManager.getManagedArrays()).hasSize(before);
            assertThat(before).as("parameters plus the rotary frequencies").isEqualTo(model.parameters().size() + 1);
        }
    }

    @Test
    @DisplayName("autograd reaches every parameter, and a gradient matches a finite difference")
    void gradientsReachEveryParameter() {
        try (LlamaModel model = TinyModels.randomInit(CONFIG, 2)) {
            ModelFixtures.randomize(model, 3);
            model.setTrainable(true);
            float analytic;
            try (NDManager step = model.manager().newSubManager()) {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(loss(model, step));
                }
                for (Map.Entry<String, NDArray> p : model.parameters().entrySet()) {
                    try (NDArray gradient = p.getValue().getGradient()) {
                        assertThat(gradient.abs().sum().getFloat()).as(p.getKey()).isGreaterThan(0f);
                    }
                }
                try (NDArray gradient = model.parameter("model.layers.1.post_attention_layernorm.weight").getGradient()) {
                    analytic = gradient.getFloat(5);
                }
            }
            model.setTrainable(false);
            NDArray weight = model.parameter("model.layers.1.post_attention_layernorm.weight");
            float[] values = weight.toFloatArray();
            float h = 1e-2f;
            double[] sides = new double[2];
            for (int side = 0; side < 2; side++) {
                float[] moved = values.clone();
                moved[5] += side == 0 ? h : -h;
                weight.set(moved);
                try (NDManager step = model.manager().newSubManager()) {
                    sides[side] = loss(model, step).getFloat();
                }
            }
            weight.set(values);
            double numeric = (sides[0] - sides[1]) / (2 * h);
            assertThat((double) analytic).isCloseTo(numeric, within(2e-3 + 0.02 * Math.abs(numeric)));
        }
    }

    @Test
    @DisplayName("hidden states are B×T×d and the lm_head is the embedding matrix when tied")
    void shapes() {
        try (LlamaModel model = TinyModels.randomInit(CONFIG, 1); NDManager step = model.manager().newSubManager()) {
            NDArray hidden = model.hiddenStates(step.create(IDS, new Shape(2, 8)), step.create(MASK, new Shape(2, 8)),
                    positions(step));
            assertThat(hidden.getShape()).isEqualTo(new Shape(2, 8, 24));
            assertThat(model.lmHeadWeight().getShape()).isEqualTo(new Shape(30, 24));
            assertThat(model.logits(hidden).getShape()).isEqualTo(new Shape(2, 8, 30));
        }
    }

    @Test
    @DisplayName("decoding token by token with the cache gives the full forward pass's logits (1e-4), with left padding")
    void cachedDecodingMatchesFullForward() {
        try (LlamaModel model = TinyModels.randomInit(CONFIG, 4)) {
            ModelFixtures.randomize(model, 5);
            // Row 0: 8 real tokens; row 1: 3 pads on the left, then 5 real tokens.
            long[] ids = {3, 7, 1, 9, 4, 2, 8, 5, 0, 0, 0, 10, 11, 12, 13, 14};
            long[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1};
            long[] positions = {0, 1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 0, 1, 2, 3, 4};
            float[] full;
            try (NDManager step = model.manager().newSubManager()) {
                full = model.logits(step.create(ids, new Shape(2, 8)), step.create(mask, new Shape(2, 8)),
                        step.create(positions, new Shape(2, 8))).toFloatArray();
            }
            int vocab = CONFIG.vocabSize();
            int prefill = 4;
            try (NDManager generation = model.manager().newSubManager(); KvCache cache = model.newCache(generation)) {
                for (int start = 0; start < 8; start = start == 0 ? prefill : start + 1) {
                    int length = start == 0 ? prefill : 1;
                    try (NDManager step = generation.newSubManager()) {
                        long[] stepIds = new long[2 * length];
                        long[] stepPositions = new long[2 * length];
                        long[] seenMask = new long[2 * (start + length)];
                        for (int b = 0; b < 2; b++) {
                            System.arraycopy(ids, b * 8 + start, stepIds, b * length, length);
                            System.arraycopy(positions, b * 8 + start, stepPositions, b * length, length);
                            System.arraycopy(mask, b * 8, seenMask, b * (start + length), start + length);
                        }
                        float[] logits = model.logits(model.hiddenStates(step.create(stepIds, new Shape(2, length)),
                                step.create(seenMask, new Shape(2, start + length)),
                                step.create(stepPositions, new Shape(2, length)), cache)).toFloatArray();
                        for (int b = 0; b < 2; b++) {
                            for (int t = 0; t < length; t++) {
                                if (mask[b * 8 + start + t] == 0) {
                                    continue;
                                }
                                for (int v = 0; v < vocab; v++) {
                                    assertThat(logits[(b * length + t) * vocab + v]).as("row %d position %d", b, start + t)
                                            .isCloseTo(full[(b * 8 + start + t) * vocab + v], within(1e-4f));
                                }
                            }
                        }
                    }
                    assertThat(cache.length()).isEqualTo(start + length);
                }
            }
        }
    }

    @Test
    @DisplayName("a left-padded row gives the same logits as the same tokens alone")
    void leftPaddingIsInvisible() {
        try (LlamaModel model = TinyModels.randomInit(CONFIG, 6); NDManager step = model.manager().newSubManager()) {
            ModelFixtures.randomize(model, 7);
            float[] alone = model.logits(step.create(new long[] {10, 11, 12}, new Shape(1, 3)),
                    step.create(new long[] {1, 1, 1}, new Shape(1, 3)),
                    step.create(new long[] {0, 1, 2}, new Shape(1, 3))).toFloatArray();
            float[] padded = model.logits(step.create(new long[] {0, 0, 10, 11, 12}, new Shape(1, 5)),
                    step.create(new long[] {0, 0, 1, 1, 1}, new Shape(1, 5)),
                    step.create(new long[] {0, 0, 0, 1, 2}, new Shape(1, 5))).toFloatArray();
            int vocab = CONFIG.vocabSize();
            for (int i = 0; i < alone.length; i++) {
                assertThat(padded[2 * vocab + i]).isCloseTo(alone[i], within(1e-5f));
            }
        }
    }
}
