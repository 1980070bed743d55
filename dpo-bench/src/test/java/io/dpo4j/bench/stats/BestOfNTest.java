package io.dpo4j.bench.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("best-of-N: the exact KL and the mean best reward")
class BestOfNTest {

    @Test
    @DisplayName("KL = log N − (N−1)/N: 0 for N = 1, known values, increasing")
    void formula() {
        assertThat(BestOfN.kl(1)).isEqualTo(0.0);
        assertThat(BestOfN.kl(2)).isCloseTo(Math.log(2) - 0.5, within(1e-15));
        assertThat(BestOfN.kl(16)).isCloseTo(2.772588722239781 - 0.9375, within(1e-12));
        for (int n = 1; n < 100; n++) {
            assertThat(BestOfN.kl(n + 1)).isGreaterThan(BestOfN.kl(n));
        }
        assertThatThrownBy(() -> BestOfN.kl(0)).hasMessageContaining("N must be >= 1");
    }

    @Test
    @DisplayName("the formula is the exact KL of best-of-N over a finite uniform reference with distinct rewards")
    void exactOnADiscreteReference() {
        // Reference: uniform over M outcomes with rewards 1..M. Best-of-N picks outcome k with probability
        // (k/M)^N − ((k−1)/M)^N; its KL to uniform tends to log N − (N−1)/N as M grows.
        int m = 200_000;
        for (int n : new int[] {2, 4, 16}) {
            double kl = 0;
            for (int k = 1; k <= m; k++) {
                double p = Math.pow((double) k / m, n) - Math.pow((double) (k - 1) / m, n);
                if (p > 0) {
                    kl += p * Math.log(p * m);
                }
            }
            assertThat(kl).isCloseTo(BestOfN.kl(n), within(1e-3));
        }
    }

    @Test
    @DisplayName("the mean best reward reads the first N samples of each prompt; interpolated in KL between N")
    void meanBest() {
        double[][] r = {{0.1, 0.5, 0.3, 0.9}, {0.4, 0.2, 0.8, 0.1}};
        assertThat(BestOfN.meanBest(r, 1)).isCloseTo(0.25, within(1e-12));
        assertThat(BestOfN.meanBest(r, 2)).isCloseTo(0.45, within(1e-12));
        assertThat(BestOfN.meanBest(r, 4)).isCloseTo(0.85, within(1e-12));
        double mid = (BestOfN.kl(1) + BestOfN.kl(2)) / 2;
        assertThat(BestOfN.rewardAtKl(new int[] {1, 2, 4}, new double[] {0.25, 0.45, 0.85}, mid))
                .isCloseTo(0.35, within(1e-12));
        assertThat(BestOfN.rewardAtKl(new int[] {1, 2, 4}, new double[] {0.25, 0.45, 0.85}, 5)).isNaN();
        assertThatThrownBy(() -> BestOfN.meanBest(r, 5)).hasMessageContaining("fewer than N = 5");
    }

    @Test
    @DisplayName("on simulated rewards, the mean best grows with N as the expected maximum does")
    void simulated() {
        Random rng = new Random(3);
        double[][] r = new double[4000][8];
        for (double[] row : r) {
            for (int i = 0; i < row.length; i++) {
                row[i] = rng.nextDouble();
            }
        }
        for (int n : new int[] {1, 2, 4, 8}) {
            assertThat(BestOfN.meanBest(r, n)).isCloseTo(n / (n + 1.0), within(0.01));
        }
    }
}
