package io.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SwiGLU with only its derivative factors kept for backward")
class SwiGluTest {

    /** value, ∂/∂gate, ∂/∂up of sum(w · f(gate, up)) for a fixed random w (gate and up leaves of a product). */
    private static double[][] run(BinaryOperator<NDArray> f, DataType type, boolean grad) {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            NDArray gate = m.randomNormal(0, 3, new Shape(5, 64), DataType.FLOAT32).toType(type, false);
            NDArray up = m.randomNormal(0, 2, new Shape(5, 64), DataType.FLOAT32).toType(type, false);
            NDArray weight = m.randomNormal(0, 1, new Shape(5, 64), DataType.FLOAT32).toType(type, false);
            if (!grad) {
                boolean before = JniUtils.isGradMode();
                JniUtils.setGradMode(false);
                try {
                    return new double[][] {f.apply(gate, up).toType(DataType.FLOAT64, false).toDoubleArray()};
                } finally {
                    JniUtils.setGradMode(before);
                }
            }
            gate.setRequiresGradient(true);
            up.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // gate and up as results of an operation (as the projections' outputs are), not leaves
                NDArray g = io.dpo4j.api.math.Scalars.mul(gate, 1.5);
                NDArray u = io.dpo4j.api.math.Scalars.mul(up, 0.5);
                NDArray value = f.apply(g, u);
                gc.backward(value.mul(weight).sum());
                return new double[][] {value.toType(DataType.FLOAT64, false).toDoubleArray(),
                    gate.getGradient().toType(DataType.FLOAT64, false).toDoubleArray(),
                    up.getGradient().toType(DataType.FLOAT64, false).toDoubleArray()};
            }
        }
    }

    /** The value bit for bit, both gradients within {@code tolerance} relative, and not all zero. */
    private static void assertEqualPaths(DataType type, double tolerance) {
        double[][] plain = run(SwiGlu::plain, type, true);
        double[][] recorded = run(SwiGlu::recorded, type, true);
        assertThat(recorded[0]).containsExactly(plain[0]);
        for (int k = 1; k < 3; k++) {
            boolean nonZero = false;
            for (int i = 0; i < plain[k].length; i++) {
                assertThat(recorded[k][i]).as("gradient %d[%d]", k, i)
                        .isCloseTo(plain[k][i], within(tolerance * Math.max(1, Math.abs(plain[k][i]))));
                nonZero |= plain[k][i] != 0;
            }
            assertThat(nonZero).isTrue();
        }
    }

    @Test
    @DisplayName("float64: the value is the plain path's bit for bit and the gradients equal it to 1e-12")
    void float64() {
        assertEqualPaths(DataType.FLOAT64, 1e-12);
    }

    @Test
    @DisplayName("float32: the value is the plain path's bit for bit and the gradients equal it to 1e-6 relative")
    void float32() {
        assertEqualPaths(DataType.FLOAT32, 1e-6);
    }

    @Test
    @DisplayName("with autograd off it is the plain path")
    void noGrad() {
        assertThat(run(SwiGlu::recorded, DataType.FLOAT32, false)[0])
                .containsExactly(run(SwiGlu::plain, DataType.FLOAT32, false)[0]);
    }
}
