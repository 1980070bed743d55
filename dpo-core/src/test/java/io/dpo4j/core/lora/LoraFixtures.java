package io.dpo4j.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.ModelFixtures;
import io.dpo4j.core.model.TinyModels;
import java.util.SplittableRandom;

/** Shared by the LoRA tests: a small model with biases, a batch, log-probs, randomised adapters. */
final class LoraFixtures {

    static final LlamaConfig CONFIG = LlamaConfig.builder().vocabSize(30).hiddenSize(24).intermediateSize(40)
            .numLayers(2).numHeads(6).numKeyValueHeads(3).headDim(6).attentionBias(true).tieWordEmbeddings(false)
            .build();
    static final long[] IDS = {3, 7, 1, 9, 4, 2, 8, 0, 5, 6, 11, 12, 13, 0, 0, 0};
    static final long[] MASK = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0};
    static final LoraSettings ALL = new LoraSettings(4, 8, 0, TargetModules.of(java.util.List.of("q_proj", "k_proj",
            "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")), false);

    private LoraFixtures() {
    }

    /** A model with large random weights (so mistakes show). */
    static LlamaModel model(long seed) {
        LlamaModel m = TinyModels.randomInit(CONFIG, seed);
        ModelFixtures.randomize(m, seed);
        return m;
    }

    /** The log-softmax of the logits of the fixed batch, flattened. */
    static float[] logProbs(LlamaModel model) {
        try (NDManager step = model.manager().newSubManager()) {
            NDArray positions = step.arange(0, 8).toType(ai.djl.ndarray.types.DataType.INT64, false).reshape(1, 8)
                    .repeat(0, 2);
            return model.logits(step.create(IDS, new Shape(2, 8)), step.create(MASK, new Shape(2, 8)), positions)
                    .logSoftmax(-1).toFloatArray();
        }
    }

    /** Overwrites every A and B with normal(0, 0.3) values. */
    static void randomize(LoraAdapter adapter, long seed) {
        randomize(adapter, seed, 0.3);
    }

    /** Overwrites every A and B with normal(0, sd) values. */
    static void randomize(LoraAdapter adapter, long seed, double sd) {
        SplittableRandom random = new SplittableRandom(seed);
        for (NDArray p : adapter.parameters().values()) {
            float[] v = new float[(int) p.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (sd * random.nextGaussian());
            }
            p.set(v);
        }
    }
}
