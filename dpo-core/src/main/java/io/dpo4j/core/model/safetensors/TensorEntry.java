package io.dpo4j.core.model.safetensors;

import ai.djl.ndarray.types.Shape;
import java.util.Optional;

/**
 * One tensor as a safetensors header describes it: its name, storage type name, shape and byte range
 * within the data section (after the header).
 *
 * @param name the tensor name, e.g. {@code model.layers.0.self_attn.q_proj.weight}
 * @param dtypeName the safetensors type name as written ({@code F32}, {@code BF16}, {@code I64}, …)
 * @param shape the shape
 * @param begin first byte, relative to the data section
 * @param end one past the last byte, relative to the data section
 */
public record TensorEntry(String name, String dtypeName, Shape shape, long begin, long end) {

    /** The storage type, when it is one this project reads. */
    public Optional<TensorDtype> dtype() {
        return TensorDtype.fromSafetensorsName(dtypeName);
    }

    /** The number of elements. */
    public long elementCount() {
        return shape.size();
    }

    /** The number of bytes in the data section. */
    public long byteCount() {
        return end - begin;
    }
}
