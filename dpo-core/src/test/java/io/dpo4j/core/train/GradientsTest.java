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
}
