package io.dpo4j.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Diagnostics: the §10 symptoms raise one warning each, with cause and remedy")
class DiagnosticsTest {

    private static List<Diagnostics.Warning> feed(double[][] evals) {
        Diagnostics d = new Diagnostics();
        List<Diagnostics.Warning> out = new ArrayList<>();
        long step = 0;
        for (double[] e : evals) {
            out.addAll(d.observe(new Diagnostics.Evaluation(step += 10, e[0], e[1], e[2], 0.1, e[3])));
        }
        return out;
    }

    @Test
    @DisplayName("a margin stuck near zero warns that β is likely too high")
    void marginNearZero() {
        List<Diagnostics.Warning> w = feed(new double[][] {{0.0, 0, 0, 10}, {0.001, -0.01, -0.02, 10},
            {0.002, -0.01, -0.03, 10}, {0.001, 0, -0.01, 10}});
        assertThat(w).singleElement().satisfies(x -> {
            assertThat(x.kind()).isEqualTo(Diagnostics.Kind.MARGIN_NEAR_ZERO);
            assertThat(x.message()).contains("too high").contains("smaller beta");
        });
    }

    @Test
    @DisplayName("both log-ratios falling while the margin grows warns of collapse (β too low)")
    void collapse() {
        List<Diagnostics.Warning> w = feed(new double[][] {{0.2, -1, -3, 10}, {0.4, -3, -7, 10}, {0.6, -6, -12, 10}});
        assertThat(w).extracting(Diagnostics.Warning::kind).containsExactly(Diagnostics.Kind.COLLAPSE);
        assertThat(w.get(0).message()).contains("too low");
    }

    @Test
    @DisplayName("sampled length growing at every evaluation warns of length exploitation")
    void lengthGrowth() {
        List<Diagnostics.Warning> w = feed(new double[][] {{0.5, 1, -1, 10}, {1.0, 2, -2, 11}, {1.5, 2.5, -3, 12},
            {2.0, 3, -4, 13}, {2.5, 3, -5, 14}});
        assertThat(w).extracting(Diagnostics.Warning::kind).containsExactly(Diagnostics.Kind.LENGTH_GROWTH);
        assertThat(w.get(0).message()).contains("simpo");
    }

    @Test
    @DisplayName("a healthy run raises nothing")
    void healthy() {
        assertThat(feed(new double[][] {{0.5, 1, -1, 10}, {1.0, 2, -2, 10.5}, {1.5, 2.5, -3, 10.2},
            {2.0, 3, -4, 10.4}})).isEmpty();
    }
}
