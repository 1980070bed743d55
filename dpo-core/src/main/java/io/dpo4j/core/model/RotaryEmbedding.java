package io.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Rotary position embeddings in Hugging Face's rotate-half convention: the head vector's two halves
 * {@code (x1, x2)} become {@code (x1·cos − x2·sin, x2·cos + x1·sin)}, with angle
 * {@code position · inv_freq[i]} repeated over both halves.
 */
final class RotaryEmbedding {

    private final NDArray inverseFrequencies;

    /** Holds the inverse frequencies on the model's manager (a constant, never trained). */
    RotaryEmbedding(LlamaConfig config, NDManager modelManager) {
        float[] inv = config.ropeScaling().inverseFrequencies(config.headDim(), config.ropeTheta());
        this.inverseFrequencies = modelManager.create(inv);
    }

    /**
     * The cosines and sines for positions {@code B×T}, each {@code B×1×T×headDim}, attached to the
     * positions' manager.
     */
    NDArray[] cosSin(NDArray positionIds) {
        NDArray positions = positionIds.toType(DataType.FLOAT32, false).expandDims(2);
        NDArray angles = positions.mul(inverseFrequencies);
        NDArray both = angles.concat(angles, 2);
        return new NDArray[] {both.cos().expandDims(1), both.sin().expandDims(1)};
    }

    /** Rotates {@code x} ({@code B×heads×T×headDim}) by the given cosines and sines. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        NDList halves = x.split(2, 3);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), 3);
        return x.mul(cos).add(rotated.mul(sin));
    }
}
