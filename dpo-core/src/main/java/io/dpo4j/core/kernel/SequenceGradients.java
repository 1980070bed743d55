package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The check of the sequence gradient shared by the kernels' backward passes (for the parameters'
 * gradients see {@link io.dpo4j.core.train.Gradients}).
 */
final class SequenceGradients {

    private SequenceGradients() {
    }

    /**
     * {@code g} checked against the batch and detached, in {@code like}'s dtype, attached to {@code work}.
     *
     * @throws IllegalArgumentException when {@code g} is not a vector of one entry per sequence
     */
    static NDArray checkedSequenceGradient(NDArray g, NDArray like, NDManager work) {
        Shape expected = new Shape(like.getShape().get(0));
        if (g == null || !g.getShape().equals(expected)) {
            throw new IllegalArgumentException("the sequence gradient must have shape " + expected + " (one entry per"
                    + " sequence), got " + (g == null ? "null" : g.getShape()));
        }
        if (!g.getDataType().isFloating()) {
            throw new IllegalArgumentException("the sequence gradient must be floating point, got " + g.getDataType());
        }
        NDArray detached = g.stopGradient();
        detached.attach(work);
        NDArray typed = detached.toType(like.getDataType(), false);
        typed.attach(work);
        return typed;
    }
}
