package io.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Gradients: norms of gradients and weights, exact and without leaking arrays")
class GradientsTest {

    @Test
    @DisplayName("global gradient norm, weight norm and the first non-finite parameter; nothing left on the parameters' manager")
    void normsWithoutLeaks() {
        try (NDManager root = NDManager.newBaseManager(); NDManager params = root.newSubManager()) {
            Map<String, NDArray> parameters = new LinkedHashMap<>();
            parameters.put("a", params.create(new float[] {3, 0}, new Shape(2)));
            parameters.put("b", params.create(new float[] {0, 4, 0}, new Shape(3)));
            parameters.values().forEach(p -> p.setRequiresGradient(true));
            try (NDManager step = root.newSubManager(); GradientCollector gc = step.getEngine().newGradientCollector()) {
                // d/dp of Σ p² / 2 is p itself: the gradient norm equals the weight norm, 5.
                NDArray loss = parameters.get("a").square().sum().add(parameters.get("b").square().sum());
                gc.backward(io.dpo4j.api.math.Scalars.mul(loss, 0.5));
            }
            int before = params.getManagedArrays().size();
            for (int i = 0; i < 10; i++) {
                try (NDManager scratch = root.newSubManager()) {
                    assertThat(Gradients.globalNorm(parameters, scratch)).isEqualTo(5.0);
                }
                assertThat(Gradients.weightNorm(parameters)).isEqualTo(5.0);
                assertThat(Gradients.firstNonFinite(parameters)).isEmpty();
            }
            assertThat(params.getManagedArrays()).as("arrays on the parameters' manager").hasSize(before);
            parameters.get("b").set(new ai.djl.ndarray.index.NDIndex("1"), Float.POSITIVE_INFINITY);
            assertThat(Gradients.weightNorm(parameters)).isInfinite();
            assertThat(Gradients.firstNonFinite(parameters)).contains("b");
        }
    }

    @Test
    @DisplayName("allocate gives each parameter that trains a zero gradient buffer, keeps existing ones, and a backward after"
            + " it gives bit for bit the gradient a backward without it gives")
    void allocateBeforeTheFirstBackward() {
        try (NDManager root = NDManager.newBaseManager(); NDManager params = root.newSubManager()) {
            Map<String, NDArray> parameters = new LinkedHashMap<>();
            parameters.put("w", params.randomNormal(new Shape(37, 29)));
            parameters.put("b", params.randomNormal(new Shape(29)));
            parameters.put("frozen", params.randomNormal(new Shape(5)));
            parameters.get("w").setRequiresGradient(true);
            parameters.get("b").setRequiresGradient(true);
            Map<String, NDArray> copies = new LinkedHashMap<>();
            parameters.forEach((k, v) -> {
                NDArray c = v.duplicate();
                c.setRequiresGradient(v.hasGradient());
                copies.put(k, c);
            });
            int before = params.getManagedArrays().size();
            try (NDManager scratch = root.newSubManager()) {
                Gradients.allocate(parameters, scratch);
            }
            assertThat(params.getManagedArrays()).as("arrays on the parameters' manager").hasSize(before);
            for (String k : new String[] {"w", "b"}) {
                NDArray p = parameters.get(k);
                ai.djl.pytorch.engine.PtNDArray g = ai.djl.pytorch.jni.JniUtils.getGradient((ai.djl.pytorch.engine.PtNDArray) p);
                assertThat(g).as(k + "'s buffer").isNotNull();
                assertThat(g.getShape()).isEqualTo(p.getShape());
                assertThat(g.toFloatArray()).containsOnly(0f);
                g.close();
            }
            assertThat(ai.djl.pytorch.jni.JniUtils.getGradient((ai.djl.pytorch.engine.PtNDArray) parameters.get("frozen")))
                    .as("a parameter without gradient gets no buffer").isNull();
            // The same loss on the allocated parameters and on fresh copies: the gradients are the same bits.
            NDArray input = root.randomNormal(new Shape(3, 37));
            for (Map<String, NDArray> set : java.util.List.of(parameters, copies)) {
                try (NDManager step = root.newSubManager(); GradientCollector gc = step.getEngine().newGradientCollector()) {
                    NDArray x = input.get(step, new ai.djl.ndarray.index.NDIndex(":"));
                    NDArray y = x.matMul(set.get("w")).add(set.get("b")).mul(set.get("frozen").sum());
                    gc.backward(y.square().sum());
                }
            }
            for (String k : new String[] {"w", "b"}) {
                try (NDArray g = parameters.get(k).getGradient(); NDArray h = copies.get(k).getGradient()) {
                    assertThat(g.toFloatArray()).as(k).containsExactly(h.toFloatArray());
                }
            }
            // A second call keeps the accumulated values.
            float[] kept;
            try (NDArray g = parameters.get("w").getGradient()) {
                kept = g.toFloatArray();
            }
            try (NDManager scratch = root.newSubManager()) {
                Gradients.allocate(parameters, scratch);
            }
            try (NDArray g = parameters.get("w").getGradient()) {
                assertThat(g.toFloatArray()).containsExactly(kept);
            }
        }
    }
}
