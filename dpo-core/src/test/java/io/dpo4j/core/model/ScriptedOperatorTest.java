package io.dpo4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Scripted operators: a one-method TorchScript module written in memory and run with or without autograd")
class ScriptedOperatorTest {

    private static final ScriptedOperator SCALED_SUM = ScriptedOperator.define("ScaledSum",
            List.of("a: Tensor", "b: Tensor"), "Tensor", List.of("return torch.add(a, b, alpha=3)"));

    @Test
    @DisplayName("the module object's pickle is protocol 2: the class, an instance, its state {training: True}")
    void pickle() {
        // The bytes the fused attention's archive was first written with (docs/performance.md, "Fused attention").
        assertThat(HexFormat.of().formatHex(ScriptedOperator.modulePickle("Attention"))).isEqualTo(
                "8002635f5f746f7263685f5f0a417474656e74696f6e0a710029817d285808000000747261696e696e67710188756271022e");
    }

    @Test
    @DisplayName("runs the source it was defined with, and records for autograd when asked to")
    void runsAndRecords() {
        assertThat(SCALED_SUM.available()).isTrue();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2});
            NDArray b = m.create(new float[] {10, 20});
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = SCALED_SUM.apply(true, a, b);
                assertThat(out.toFloatArray()).containsExactly(31, 62);
                gc.backward(out.sum());
            }
            assertThat(a.getGradient().toFloatArray()).containsExactly(1, 1);
            assertThat(b.getGradient().toFloatArray()).containsExactly(3, 3);
        }
    }

    @Test
    @DisplayName("without recording, an in-place operator updates its input (the optimizer's use)")
    void inPlaceWithoutRecording() {
        ScriptedOperator addOne = ScriptedOperator.define("AddOne", List.of("s: Tensor", "p: Tensor"), "Tensor",
                List.of("p.add_(1.0)", "return s"));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1, 2, 3});
            p.setRequiresGradient(true);
            addOne.call(new ai.djl.ndarray.NDList(m.create(0f), p), false).close();
            assertThat(p.toFloatArray()).containsExactly(2, 3, 4);
        }
    }

    @Test
    @DisplayName("a module whose source does not compile is unavailable (logged), not an error at definition")
    void unavailable() {
        ScriptedOperator broken = ScriptedOperator.define("Broken", List.of("a: Tensor"), "Tensor",
                List.of("return torch.no_such_operator(a)"));
        assertThat(broken.available()).isFalse();
        try (NDManager m = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> broken.apply(true, m.create(1f))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("Broken");
        }
    }

    @Test
    @DisplayName("the class name must be a capitalised identifier (it is written into the source and the pickle)")
    void className() {
        assertThatThrownBy(() -> ScriptedOperator.define("bad name", List.of(), "Tensor", List.of("return 1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad name");
    }
}
