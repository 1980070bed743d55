package io.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.dpo4j.core.model.safetensors.TensorDtype;
import io.dpo4j.core.model.safetensors.TensorSource;

/** An NDArray written to safetensors as float32 (optimizer state, small tensors). */
final class ArraySource implements TensorSource {

    private final String name;
    private final NDArray array;
    private float[] values;

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
        if (values == null) {
            if (array.getDataType() == DataType.FLOAT32) {
                values = array.toFloatArray();
            } else {
                try (NDArray wide = array.toType(DataType.FLOAT32, true)) {
                    values = wide.toFloatArray();
                }
            }
        }
        int rowSize = (int) rowSize();
        float[] out = new float[rowCount * rowSize];
        System.arraycopy(values, (int) (firstRow * rowSize), out, 0, out.length);
        return out;
    }
}
