package io.dpo4j.bench.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("isotonic regression of KL paths and reading a metric at a KL budget")
class IsotonicTest {

    @Test
    @DisplayName("pools adjacent violators into their mean")
    void pava() {
        assertThat(Isotonic.nonDecreasing(new double[] {0, 3, 1, 2, 5})).containsExactly(0, 2, 2, 2, 5);
        assertThat(Isotonic.nonDecreasing(new double[] {4, 3, 2, 1})).containsExactly(2.5, 2.5, 2.5, 2.5);
        assertThat(Isotonic.nonDecreasing(new double[] {1, 2, 3})).containsExactly(1, 2, 3);
        assertThat(Isotonic.nonDecreasing(new double[0])).isEmpty();
    }

    @Test
    @DisplayName("the fit is monotone, keeps the mean, and is no farther from the data than any monotone path tried")
    void optimal() {
        Random rng = new Random(5);
        for (int t = 0; t < 200; t++) {
            double[] y = new double[1 + rng.nextInt(12)];
            for (int i = 0; i < y.length; i++) {
                y[i] = i * 0.5 + rng.nextGaussian();
            }
            double[] f = Isotonic.nonDecreasing(y);
            double sse = 0;
            double sumY = 0;
            double sumF = 0;
            for (int i = 0; i < y.length; i++) {
                if (i > 0) {
                    assertThat(f[i]).isGreaterThanOrEqualTo(f[i - 1] - 1e-12);
                }
                sse += (y[i] - f[i]) * (y[i] - f[i]);
                sumY += y[i];
                sumF += f[i];
            }
            assertThat(sumF).isCloseTo(sumY, within(1e-9));
            // Any other monotone path (the running maximum, a sorted copy) fits no better.
            double[] sorted = y.clone();
            java.util.Arrays.sort(sorted);
            double other = 0;
            for (int i = 0; i < y.length; i++) {
                other += (y[i] - sorted[i]) * (y[i] - sorted[i]);
            }
            assertThat(sse).isLessThanOrEqualTo(other + 1e-9);
        }
    }

    @Test
    @DisplayName("missing values are gaps: the rest is fitted, the gap stays NaN")
    void gaps() {
        double[] f = Isotonic.nonDecreasing(new double[] {0, Double.NaN, 2, 1});
        assertThat(f[0]).isEqualTo(0);
        assertThat(f[1]).isNaN();
        assertThat(f[2]).isEqualTo(1.5);
        assertThat(f[3]).isEqualTo(1.5);
    }

    @Test
    @DisplayName("reads a metric where the path first reaches a budget, interpolating; NaN when never reached")
    void atLevel() {
        double[] kl = {0, 1, 3, 3, 6};
        double[] reward = {0.5, 0.6, 0.8, 0.9, 1.0};
        assertThat(Isotonic.atLevel(kl, reward, 2)).isCloseTo(0.7, within(1e-12));
        assertThat(Isotonic.atLevel(kl, reward, 3)).isCloseTo(0.8, within(1e-12));
        assertThat(Isotonic.atLevel(kl, reward, 0)).isEqualTo(0.5);
        assertThat(Isotonic.atLevel(kl, reward, 6)).isEqualTo(1.0);
        assertThat(Isotonic.atLevel(kl, reward, 7)).isNaN();
    }
}
