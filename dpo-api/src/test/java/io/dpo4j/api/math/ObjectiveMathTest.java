package io.dpo4j.api.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("ObjectiveMath: stable, differentiable element-wise functions")
class ObjectiveMathTest {

    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static final double[] POINTS = {-1e4, -700, -50, -20.5, -3, -1, -0.7, -0.6931471805599453, -0.5, -0.01,
        -0.00999, -1e-5, -1e-12, 0, 1e-12, 1e-5, 0.00999, 0.01, 0.5, 1, 3, 20.5, 50, 700, 1e4};

    private static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    private static double log1mexp(double a) {
        return a < -Math.log(2) ? Math.log1p(-Math.exp(a)) : Math.log(-Math.expm1(a));
    }

    private void check(UnaryOperator<NDArray> f, DoubleUnaryOperator value, DoubleUnaryOperator derivative,
            double[] xs, DataType dtype, double relTol) {
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.create(xs).toType(dtype, false);
            x.setRequiresGradient(true);
            NDArray y;
            try (GradientCollector gc = sub.getEngine().newGradientCollector()) {
                y = f.apply(x);
                gc.backward(y.sum());
            }
            double[] got = ObjectiveMath.toDoubles(y);
            double[] grad = ObjectiveMath.toDoubles(x.getGradient());
            double[] xsCast = ObjectiveMath.toDoubles(x);
            for (int i = 0; i < xs.length; i++) {
                double want = value.applyAsDouble(xsCast[i]);
                double wantGrad = derivative.applyAsDouble(xsCast[i]);
                assertThat(got[i]).as("value at %s (%s)", xs[i], dtype)
                        .isCloseTo(want, within(relTol * Math.abs(want) + 1e-300));
                assertThat(grad[i]).as("derivative at %s (%s)", xs[i], dtype)
                        .isCloseTo(wantGrad, within(relTol * Math.abs(wantGrad) + 1e-300));
            }
        }
    }

    @Test
    @DisplayName("softplus equals log(1+e^x) to 1e-14 relative with derivative σ(x), for |x| up to 1e4")
    void softplus() {
        check(ObjectiveMath::softplus, ObjectiveMathTest::softplus, ObjectiveMathTest::sigmoid, POINTS,
                DataType.FLOAT64, 1e-14);
        check(ObjectiveMath::softplus, ObjectiveMathTest::softplus, ObjectiveMathTest::sigmoid, POINTS,
                DataType.FLOAT32, 2e-6);
    }

    @Test
    @DisplayName("logσ(z) is exact in both tails and its derivative at z = 0 is exactly 1/2")
    void logSigmoid() {
        check(ObjectiveMath::logSigmoid, z -> -softplus(-z), z -> sigmoid(-z), POINTS, DataType.FLOAT64, 1e-14);
        check(ObjectiveMath::logSigmoid, z -> -softplus(-z), z -> sigmoid(-z), new double[] {0}, DataType.FLOAT64, 0);
    }

    @Test
    @DisplayName("σ(z) is accurate in both tails")
    void sigmoidValues() {
        check(ObjectiveMath::sigmoid, ObjectiveMathTest::sigmoid, z -> sigmoid(z) * sigmoid(-z), POINTS,
                DataType.FLOAT64, 1e-13);
    }

    @Test
    @DisplayName("log1p and expm1 match java.lang.Math near zero and far from it")
    void log1pExpm1() {
        double[] xs = {-0.9, -0.5, -0.011, -0.01, -0.0099, -1e-8, -1e-300, 0, 1e-300, 1e-8, 0.0099, 0.01, 0.011, 0.5, 10};
        check(ObjectiveMath::log1p, Math::log1p, v -> 1 / (1 + v), xs, DataType.FLOAT64, 3e-14);
        check(ObjectiveMath::expm1, Math::expm1, Math::exp, xs, DataType.FLOAT64, 3e-14);
        check(ObjectiveMath::log1p, Math::log1p, v -> 1 / (1 + v), xs, DataType.FLOAT32, 1e-5);
    }

    @Test
    @DisplayName("log1mexp(a) = log(1 − e^a) for a < 0, on both sides of −ln 2")
    void log1mexpValues() {
        double[] as = {-1e4, -50, -3, -1, -0.6931471805599453, -0.6931, -0.5, -0.01, -1e-5, -1e-10};
        check(ObjectiveMath::log1mexp, ObjectiveMathTest::log1mexp, a -> -Math.exp(a) / -Math.expm1(a), as,
                DataType.FLOAT64, 1e-13);
        check(ObjectiveMath::log1mexp, ObjectiveMathTest::log1mexp, a -> -Math.exp(a) / -Math.expm1(a), as,
                DataType.FLOAT32, 1e-4);
    }

    @Test
    @DisplayName("log1mexp(0) is finite: a probability of one is treated as 1 − 1e-30")
    void log1mexpAtZero() {
        try (NDManager sub = manager.newSubManager()) {
            double got = ObjectiveMath.scalar(ObjectiveMath.log1mexp(sub.create(0.0)));
            assertThat(got).isCloseTo(Math.log(1e-30), within(1e-9));
        }
    }

    @Test
    @DisplayName("relu has derivative 0 at 0; clampMax has derivative 1 up to and at the bound, 0 above")
    void kinks() {
        double[] xs = {-2, -1e-300, 0, 1e-300, 3, 80, 80.5};
        check(ObjectiveMath::relu, t -> Math.max(0, t), t -> t > 0 ? 1 : 0, xs, DataType.FLOAT64, 0);
        check(ObjectiveMath::relu, t -> Math.max(0, t), t -> t > 0 ? 1 : 0, xs, DataType.FLOAT32, 0);
        check(t -> ObjectiveMath.clampMax(t, 80), t -> Math.min(t, 80), t -> t <= 80 ? 1 : 0, xs, DataType.FLOAT64, 0);
    }

    @Test
    @DisplayName("sortedAscending sorts a copy stably and routes each slot's gradient back to its row")
    void sorting() {
        try (NDManager sub = manager.newSubManager()) {
            NDArray x = sub.create(new double[] {3, -1, 2, -1, 0});
            x.setRequiresGradient(true);
            NDArray sorted;
            try (GradientCollector gc = sub.getEngine().newGradientCollector()) {
                sorted = ObjectiveMath.sortedAscending(x);
                // weight slot k by k + 1, so each row's gradient names the slot it landed in
                gc.backward(sorted.mul(sub.create(new double[] {1, 2, 3, 4, 5})).sum());
            }
            assertThat(ObjectiveMath.toDoubles(sorted)).containsExactly(-1, -1, 0, 2, 3);
            assertThat(ObjectiveMath.toDoubles(x)).containsExactly(3, -1, 2, -1, 0);
            assertThat(ObjectiveMath.toDoubles(x.getGradient())).containsExactly(5, 1, 4, 2, 3);
            assertThat(ObjectiveMath.stableOrder(x)).containsExactly(1, 3, 4, 2, 0);
        }
    }
}
