package io.dpo4j.core.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.ModelFixtures;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A FLOAT16 frozen base")
class HalfPrecisionBaseTest {

    /** The stated tolerance: the mean next-token loss of a FLOAT16 frozen base is within this of float32's. */
    static final double LOSS_TOLERANCE = 1e-3;

    private static double loss(LlamaModel model, Map<String, float[]> gradients) {
        try (NDManager step = model.manager().newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            long[] ids = new long[2 * 12];
            long[] mask = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (i * 7 + 3) % 57;
                mask[i] = 1;
            }
            NDArray positions = step.arange(0, 12).toType(DataType.INT64, false).reshape(1, 12).repeat(0, 2);
            NDArray h = model.trainingPass(step.create(ids, new Shape(2, 12)), step.create(mask, new Shape(2, 12)),
                    positions, true, 0).hidden();
            NDArray l = model.logits(h).logSoftmax(-1).max(new int[] {-1}).mean().neg();
            double value = l.getFloat();
            gc.backward(l);
            model.trainableParameters().forEach((k, p) -> {
                try (NDArray g = p.getGradient()) {
                    gradients.put(k, g.toFloatArray());
                }
            });
            return value;
        }
    }

    @Test
    @DisplayName("halves the decoder matrices' memory and keeps the loss within 1e-3 of float32, gradients close")
    void matchesFloat32() {
        Map<String, float[]> g32 = new java.util.LinkedHashMap<>();
        Map<String, float[]> g16 = new java.util.LinkedHashMap<>();
        double l32;
        double l16;
        long bytes32;
        long bytes16;
        try (LlamaModel model = HuggingFaceCheckpoint.load(ModelFixtures.tinyLlama())) {
            LoraAdapter adapter = LoraAdapter.create(model, LoraFixtures.ALL, 3);
            model.attachAdapter(adapter);
            LoraFixtures.randomize(adapter, 4, 0.05);
            bytes32 = model.parameterBytes();
            l32 = loss(model, g32);
        }
        try (LlamaModel model = HuggingFaceCheckpoint.load(ModelFixtures.tinyLlama())) {
            LoraAdapter adapter = LoraAdapter.create(model, LoraFixtures.ALL, 3);
            model.attachAdapter(adapter);
            LoraFixtures.randomize(adapter, 4, 0.05);
            model.holdFrozenWeightsAs(DataType.FLOAT16);
            assertThat(model.parameter("model.layers.0.mlp.up_proj.weight").getDataType()).isEqualTo(DataType.FLOAT16);
            assertThat(model.parameter("model.embed_tokens.weight").getDataType()).isEqualTo(DataType.FLOAT32);
            bytes16 = model.parameterBytes();
            l16 = loss(model, g16);
        }
        assertThat(Math.abs(l16 - l32)).as("loss %s (float16) vs %s (float32)", l16, l32)
                .isLessThanOrEqualTo(LOSS_TOLERANCE);
        assertThat(bytes16).isLessThan(bytes32);
        for (String k : g32.keySet()) {
            float[] a = g32.get(k);
            float[] b = g16.get(k);
            double num = 0;
            double den = 0;
            for (int i = 0; i < a.length; i++) {
                num += (a[i] - b[i]) * (double) (a[i] - b[i]);
                den += a[i] * (double) a[i];
            }
            assertThat(Math.sqrt(num / Math.max(den, 1e-30))).as("relative gradient error of %s", k).isLessThan(1e-2);
        }
    }

    @Test
    @DisplayName("only a frozen base (an adapter attached) can be held in FLOAT16")
    void needsAdapter() {
        try (LlamaModel model = HuggingFaceCheckpoint.load(ModelFixtures.tinyLlama())) {
            assertThatThrownBy(() -> model.holdFrozenWeightsAs(DataType.FLOAT16)).isInstanceOf(IllegalStateException.class);
        }
    }
}
