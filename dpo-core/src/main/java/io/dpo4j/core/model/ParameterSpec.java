package io.dpo4j.core.model;

import ai.djl.ndarray.types.Shape;

/**
 * A parameter the configuration calls for: its Hugging Face tensor name and shape.
 *
 * @param name the tensor name, e.g. {@code model.layers.0.mlp.up_proj.weight}
 * @param shape the shape
 * @param kind what the tensor is, which decides its random initialisation
 */
public record ParameterSpec(String name, Shape shape, Kind kind) {

    /** The role of a parameter. */
    public enum Kind {
        /** An embedding or a linear layer's weight matrix. */
        MATRIX,
        /** A linear layer's bias. */
        BIAS,
        /** An RMSNorm scale. */
        NORM
    }
}
