package io.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dpo4j.core.model.safetensors.TensorDtype;
import io.dpo4j.core.model.safetensors.TensorSource;

/** An NDArray written to safetensors as float32 (optimizer state, small tensors). */
final class ArraySource implements TensorSource {

    private final String name;
    private final NDArray array;

    ArraySource(String name, NDArray array) {
        this.name = name;
        this.array = array;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public TensorDtype dtype() {
        return TensorDtype.F32;
    }

    @Override
    public Shape shape() {
        return array.getShape();
    }

    @Override
    public float[] readRows(long firstRow, int rowCount) {
        // A block of rows at a time on a temporary manager (never the whole array on the Java heap: a
        // checkpoint of Qwen2.5-0.5B's AdamW moments is 3.7 GiB), and nothing cached between calls.
        try (NDManager temporary = array.getManager().newSubManager()) {
            NDArray rows = array.getShape().dimension() == 0 || (firstRow == 0 && rowCount == rows()) ? array
                    : array.get(temporary, new NDIndex("{}:{}", firstRow, firstRow + rowCount));
            if (rows.getDataType() != DataType.FLOAT32) {
                rows = rows.toType(DataType.FLOAT32, true);
                rows.attach(temporary);
            }
            return rows.toFloatArray();
        }
    }
}
