package io.dpo4j.bench.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("t-intervals over seeds cover at their nominal level")
class TIntervalTest {

    /** Monte-Carlo coverage of the 95% interval of a mean from n normal values (seeded, 4000 repetitions). */
    private static double coverage(int n, boolean paired, long seed) {
        Random rng = new Random(seed);
        int reps = 4000;
        int covered = 0;
        double trueDelta = 0.3;
        for (int r = 0; r < reps; r++) {
            Interval ci;
            if (paired) {
                // Arms sharing a large per-seed effect (the pairing removes it) plus their own noise.
                double[] a = new double[n];
                double[] b = new double[n];
                for (int i = 0; i < n; i++) {
                    double shared = 5 * rng.nextGaussian();
                    a[i] = shared + trueDelta + 0.2 * rng.nextGaussian();
                    b[i] = shared + 0.2 * rng.nextGaussian();
                }
                ci = TInterval.paired(a, b);
            } else {
                double[] x = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = trueDelta + 0.7 * rng.nextGaussian();
                }
                ci = TInterval.mean(x);
            }
            if (ci.low() <= trueDelta && trueDelta <= ci.high()) {
                covered++;
            }
        }
        return covered / (double) reps;
    }

    @Test
    @DisplayName("the 95% interval of a mean of 5 seeds covers the true mean about 95% of the time")
    void meanCoverage() {
        // Binomial standard error at 4000 repetitions: 0.0034; ±0.015 is more than four of them.
        assertThat(coverage(5, false, 11)).isCloseTo(0.95, within(0.015));
        assertThat(coverage(3, false, 12)).isCloseTo(0.95, within(0.015));
        assertThat(coverage(10, false, 13)).isCloseTo(0.95, within(0.015));
    }

    @Test
    @DisplayName("the paired interval of a difference covers at 95% however large the shared per-seed effect")
    void pairedCoverage() {
        assertThat(coverage(5, true, 21)).isCloseTo(0.95, within(0.015));
    }

    @Test
    @DisplayName("pairing removes the shared variance: the paired interval is far narrower than the unpaired one")
    void pairingNarrows() {
        double[] a = {10.3, 4.2, 7.9, 1.1, 6.0};
        double[] b = {10.0, 4.0, 7.5, 0.9, 5.7};
        Interval paired = TInterval.paired(a, b);
        Interval aOnly = TInterval.mean(a);
        assertThat(paired.mean()).isCloseTo(0.28, within(1e-12));
        assertThat(paired.high() - paired.low()).isLessThan((aOnly.high() - aOnly.low()) / 20);
        assertThat(paired.method()).isEqualTo("paired t, 95%, 5 seeds");
    }

    @Test
    @DisplayName("matches the textbook interval: x̄ ± t(0.975, n−1)·s/√n")
    void textbook() {
        Interval ci = TInterval.mean(new double[] {1, 2, 3, 4, 5});
        // s = 1.5811, t(0.975, 4) = 2.7764451
        double half = 2.7764451051977987 * Math.sqrt(2.5) / Math.sqrt(5);
        assertThat(ci.mean()).isEqualTo(3.0);
        assertThat(ci.low()).isCloseTo(3 - half, within(1e-9));
        assertThat(ci.high()).isCloseTo(3 + half, within(1e-9));
    }

    @Test
    @DisplayName("one value or none has no interval; unequal paired samples are refused")
    void degenerate() {
        assertThat(TInterval.mean(new double[] {2}).defined()).isFalse();
        assertThat(TInterval.mean(new double[] {2}).format(2)).isEqualTo("2.00 [n/a]");
        assertThat(TInterval.mean(new double[0]).format(2)).isEqualTo("n/a");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TInterval.paired(new double[2], new double[3]))
                .hasMessageContaining("equal sizes");
    }
}
