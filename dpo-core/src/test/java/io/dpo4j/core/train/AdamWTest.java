package io.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("AdamW, clipping and the schedule match their PyTorch definitions")
class AdamWTest {

    /** Loss = Σ c_i · p_i² with fixed c, so g = 2 c p. */
    private static final double[] C = {0.5, -1.0, 2.0, 3.0};

    @ParameterizedTest(name = "fused = {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("AdamW (fused kernel and plain path) equals a plain-Java reference of torch.optim.AdamW over ten steps")
    void adamW(boolean fused) {
        double lr = 0.05;
        double b1 = 0.9;
        double b2 = 0.99;
        double eps = 1e-8;
        double wd = 0.1;
        double[] ref = {1.0, -2.0, 0.5, 3.0};
        double[] m = new double[4];
        double[] v = new double[4];
        try (NDManager manager = NDManager.newBaseManager(); AdamW opt = new AdamW(manager, b1, b2, eps, wd)) {
            opt.setFused(fused);
            assertThat(opt.fused()).isEqualTo(fused);
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
    @DisplayName("the fused kernel's parameters and moments equal the plain path's over ten steps (float32 rounding)")
    void fusedEqualsPlain() {
        long[][] shapes = {{37, 29}, {1_000_003}, {3, 5, 7}};
        Random random = new Random(5);
        try (NDManager manager = NDManager.newBaseManager(); AdamW fused = new AdamW(manager, 0.9, 0.999, 1e-8, 0.01);
                AdamW plain = new AdamW(manager, 0.9, 0.999, 1e-8, 0.01)) {
            plain.setFused(false);
            assertThat(fused.fused()).as("libtorch's fused AdamW loads in this engine").isTrue();
            Map<String, NDArray> a = new LinkedHashMap<>();
            Map<String, NDArray> b = new LinkedHashMap<>();
            Map<String, float[]> initial = new LinkedHashMap<>();
            for (int i = 0; i < shapes.length; i++) {
                NDArray p = manager.randomNormal(new ai.djl.ndarray.types.Shape(shapes[i]));
                a.put("p" + i, p);
                b.put("p" + i, p.duplicate());
                initial.put("p" + i, p.toFloatArray());
            }
            for (int t = 1; t <= 10; t++) {
                for (String name : a.keySet()) {
                    // the same gradient for both, of varied scale (Adam's moments then differ from step to step)
                    float scale = (float) Math.pow(10, random.nextInt(5) - 2);
                    NDArray g = manager.randomNormal(a.get(name).getShape()).mul(scale);
                    setGradient(a.get(name), g);
                    setGradient(b.get(name), g);
                    g.close();
                }
                fused.update(a, 1e-3 * t);
                plain.update(b, 1e-3 * t);
            }
            for (String name : a.keySet()) {
                float[] x = a.get(name).toFloatArray();
                float[] y = b.get(name).toFloatArray();
                double maxDiff = 0;
                for (int i = 0; i < x.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(x[i] - y[i]) / Math.max(1.0, Math.abs(y[i])));
                }
                assertThat(maxDiff).as(name).isLessThan(1e-6);
                assertThat(x).as(name + " moved").isNotEqualTo(initial.get(name));
            }
            for (Map.Entry<String, NDArray> e : fused.state().entrySet()) {
                float[] x = e.getValue().toFloatArray();
                float[] y = plain.state().get(e.getKey()).toFloatArray();
                // m mixes gradients of scale up to 100 (a lerp in the kernel, a weighted sum in the plain path): the
                // rounding is relative to the largest moment, not to each element's own value
                float largest = 1f;
                for (float value : y) {
                    largest = Math.max(largest, Math.abs(value));
                }
                boolean moved = false;
                for (int i = 0; i < x.length; i++) {
                    assertThat(x[i]).as(e.getKey()).isCloseTo(y[i], within(1e-6f * largest));
                    moved |= x[i] != 0;
                }
                assertThat(moved).as(e.getKey() + " was updated").isTrue();
            }
            assertThat(fused.step()).isEqualTo(10);
        }
    }

    /** Sets {@code p}'s gradient to {@code g} (through a backward of Σ p·g). */
    private static void setGradient(NDArray p, NDArray g) {
        if (p.hasGradient()) {
            Gradients.zero(Map.of("p", p));
        } else {
            p.setRequiresGradient(true);
        }
        try (GradientCollector gc = p.getManager().getEngine().newGradientCollector()) {
            gc.backward(p.mul(g).sum());
        }
    }

    @ParameterizedTest(name = "fused = {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("moments prepared before the first update give bit for bit the updates of moments made by it")
    void preparedEqualsLazy(boolean fused) {
        try (NDManager manager = NDManager.newBaseManager(); AdamW lazy = new AdamW(manager, 0.9, 0.99, 1e-8, 0.1);
                AdamW prepared = new AdamW(manager, 0.9, 0.99, 1e-8, 0.1)) {
            lazy.setFused(fused);
            prepared.setFused(fused);
            Random random = new Random(7);
            float[] init = new float[1_073];
            for (int i = 0; i < init.length; i++) {
                init[i] = (float) random.nextGaussian();
            }
            Map<String, NDArray> a = Map.of("p", manager.create(init));
            Map<String, NDArray> b = Map.of("p", manager.create(init));
            prepared.prepare(b);
            assertThat(prepared.state()).containsOnlyKeys("p.exp_avg", "p.exp_avg_sq");
            assertThat(prepared.state().get("p.exp_avg").toFloatArray()).containsOnly(0f);
            for (int step = 0; step < 3; step++) {
                float[] g = new float[init.length];
                for (int i = 0; i < g.length; i++) {
                    g[i] = (float) random.nextGaussian();
                }
                setGradient(a.get("p"), manager.create(g));
                setGradient(b.get("p"), manager.create(g));
                lazy.update(a, 0.01);
                prepared.update(b, 0.01);
                assertThat(b.get("p").toFloatArray()).as("step " + (step + 1)).containsExactly(a.get("p").toFloatArray());
                assertThat(prepared.state().get("p.exp_avg_sq").toFloatArray())
                        .containsExactly(lazy.state().get("p.exp_avg_sq").toFloatArray());
            }
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
