package io.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("AdamW, clipping and the schedule match their PyTorch definitions")
class AdamWTest {

    /** Loss = Σ c_i · p_i² with fixed c, so g = 2 c p. */
    private static final double[] C = {0.5, -1.0, 2.0, 3.0};

    @Test
    @DisplayName("AdamW equals a plain-Java reference of torch.optim.AdamW over ten steps")
    void adamW() {
        double lr = 0.05;
        double b1 = 0.9;
        double b2 = 0.99;
        double eps = 1e-8;
        double wd = 0.1;
        double[] ref = {1.0, -2.0, 0.5, 3.0};
        double[] m = new double[4];
        double[] v = new double[4];
        try (NDManager manager = NDManager.newBaseManager(); AdamW opt = new AdamW(manager, b1, b2, eps, wd)) {
            NDArray p = manager.create(new float[] {1.0f, -2.0f, 0.5f, 3.0f});
            p.setRequiresGradient(true);
            NDArray c = manager.create(new float[] {0.5f, -1.0f, 2.0f, 3.0f});
            Map<String, NDArray> params = new LinkedHashMap<>();
            params.put("w", p);
            for (int t = 1; t <= 10; t++) {
                try (NDManager step = manager.newSubManager()) {
                    NDArray pv = p.duplicate();
                    pv.attach(step);
                    try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                        NDArray loss = p.square().mul(c).sum();
                        loss.attach(step);
                        gc.backward(loss);
                    }
                }
                opt.update(params, lr);
                Gradients.zero(params);
                for (int i = 0; i < 4; i++) {
                    double g = 2 * C[i] * ref[i];
                    ref[i] -= lr * wd * ref[i];
                    m[i] = b1 * m[i] + (1 - b1) * g;
                    v[i] = b2 * v[i] + (1 - b2) * g * g;
                    double mh = m[i] / (1 - Math.pow(b1, t));
                    double vh = v[i] / (1 - Math.pow(b2, t));
                    ref[i] -= lr * mh / (Math.sqrt(vh) + eps);
                }
            }
            float[] got = p.toFloatArray();
            for (int i = 0; i < 4; i++) {
                assertThat((double) got[i]).isCloseTo(ref[i], within(1e-5));
            }
            assertThat(opt.step()).isEqualTo(10);
        }
    }

    @Test
    @DisplayName("global-norm clipping scales all gradients together, and zeroing clears them")
    void clipping() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {1, 2});
            NDArray b = manager.create(new float[] {2});
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                // d/da = (3, 0)... use loss = 3·a0 + 0·a1 + 4·b0: gradient (3, 0, 4), norm 5
                gc.backward(a.mul(manager.create(new float[] {3, 0})).sum().add(b.mul(4).sum()));
            }
            Map<String, NDArray> params = Map.of("a", a, "b", b);
            double norm = Gradients.clipGlobalNorm(params, 1.0, manager);
            assertThat(norm).isCloseTo(5.0, within(1e-6));
            assertThat(Gradients.globalNorm(params, manager)).isCloseTo(1.0, within(1e-5));
            assertThat(a.getGradient().toFloatArray()[0]).isCloseTo(0.6f, within(1e-5f));
            Gradients.zero(params);
            assertThat(Gradients.globalNorm(params, manager)).isZero();
        }
    }

    @Test
    @DisplayName("the schedule warms up linearly, then holds, decays linearly or by a cosine to zero")
    void schedule() {
        LearningRateSchedule lin = new LearningRateSchedule(1.0, 4, Decay.LINEAR, 14);
        assertThat(lin.at(0)).isEqualTo(0.25);
        assertThat(lin.at(3)).isEqualTo(1.0);
        assertThat(lin.at(4)).isEqualTo(1.0);
        assertThat(lin.at(9)).isCloseTo(0.5, within(1e-12));
        assertThat(lin.at(14)).isZero();
        LearningRateSchedule cos = new LearningRateSchedule(2.0, 0, Decay.COSINE, 10);
        assertThat(cos.at(0)).isEqualTo(2.0);
        assertThat(cos.at(5)).isCloseTo(1.0, within(1e-12));
        assertThat(new LearningRateSchedule(2.0, 0, Decay.CONSTANT, 10).at(9)).isEqualTo(2.0);
    }
}
