package io.dpo4j.core.model.safetensors;

import ai.djl.ndarray.types.Shape;

/**
 * A tensor to be written to a safetensors file: its name, the storage type to write, its shape, and
 * its float32 values, read a block of rows (slices along the first dimension) at a time so that
 * tensors above 2 GiB can be streamed.
 */
public interface TensorSource {

    /** The tensor name. */
    String name();

    /** The storage type to write (values are narrowed from float32 in Java). */
    TensorDtype dtype();

    /** The shape; a scalar or 1-D tensor has rows of one element. */
    Shape shape();

    /** The float32 values of rows {@code [firstRow, firstRow + rowCount)}, row-major. */
    float[] readRows(long firstRow, int rowCount);

    /** Number of rows: the first dimension (1 for a scalar). */
    default long rows() {
        return shape().dimension() == 0 ? 1 : shape().get(0);
    }

    /** Elements per row. */
    default long rowSize() {
        return shape().dimension() == 0 ? 1 : shape().size() / Math.max(1, shape().get(0));
    }

    /** Bytes this tensor takes in the file. */
    default long byteCount() {
        return shape().size() * dtype().bytes();
    }
}
