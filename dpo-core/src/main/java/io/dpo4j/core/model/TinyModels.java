package io.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Randomly initialised models of any Llama-family configuration, deterministic for a seed and
 * independent of the engine's random state: Hugging Face's Llama initialisation, normal(0, 0.02) for
 * embeddings and weight matrices, zero biases, RMSNorm scales of one. The values are drawn in Java,
 * tensor by tensor in checkpoint order, from one {@link SplittableRandom}.
 */
public final class TinyModels {

    /** Hugging Face's {@code initializer_range} default. */
    public static final double INITIALIZER_RANGE = 0.02;

    private TinyModels() {
    }

    /**
     * The configuration of the embedded default model: a small Llama (2 layers, d = 64, 4 heads with 2
     * key/value heads) over {@code vocabSize} tokens.
     */
    public static LlamaConfig defaultConfig(int vocabSize, int eosTokenId, int padTokenId) {
        return LlamaConfig.builder()
                .vocabSize(vocabSize)
                .hiddenSize(64)
                .intermediateSize(176)
                .numLayers(2)
                .numHeads(4)
                .numKeyValueHeads(2)
                .maxPositionEmbeddings(512)
                .tieWordEmbeddings(true)
                .tokenIds(null, List.of(eosTokenId), padTokenId)
                .build();
    }

    /** A new model on a new base manager (which the model owns) with Llama's random initialisation. */
    public static LlamaModel randomInit(LlamaConfig config, long seed) {
        return randomInit(config, seed, NDManager.newBaseManager());
    }

    /** A new model on {@code manager} (which the model owns) with Llama's random initialisation. */
    public static LlamaModel randomInit(LlamaConfig config, long seed, NDManager manager) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        try {
            for (ParameterSpec spec : config.parameterSpecs()) {
                float[] values = new float[Math.toIntExact(spec.shape().size())];
                switch (spec.kind()) {
                    case MATRIX -> {
                        for (int i = 0; i < values.length; i++) {
                            values[i] = (float) (random.nextGaussian() * INITIALIZER_RANGE);
                        }
                    }
                    case NORM -> java.util.Arrays.fill(values, 1f);
                    case BIAS -> {
                        // zero, as nn.Linear's bias after Hugging Face's _init_weights
                    }
                    default -> throw new IllegalStateException(spec.kind().name());
                }
                parameters.put(spec.name(), manager.create(FloatBuffer.wrap(values), spec.shape()));
            }
            return LlamaModel.of(config, manager, parameters);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }
}
