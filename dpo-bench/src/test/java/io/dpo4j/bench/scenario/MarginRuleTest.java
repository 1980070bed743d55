package io.dpo4j.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.bench.stats.Interval;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("verdict rules with a margin: superiority, non-inferiority, equivalence, inconclusive")
class MarginRuleTest {

    private static Interval ci(double lo, double hi) {
        return new Interval((lo + hi) / 2, lo, hi, 5, "paired t, 95%, 5 seeds");
    }

    @Test
    @DisplayName("superiority by δ: above δ reproduced, below δ not, straddling δ inconclusive")
    void superiority() {
        MarginRule r = new MarginRule(MarginRule.Kind.SUPERIORITY, 0.1, "A − B");
        assertThat(r.decide(ci(0.11, 0.5))).isEqualTo(Verdict.REPRODUCED);
        assertThat(r.decide(ci(-0.3, 0.09))).isEqualTo(Verdict.NOT_REPRODUCED);
        assertThat(r.decide(ci(0.02, 0.3))).isEqualTo(Verdict.INCONCLUSIVE);
        // Better than B, but not by the margin: not reproduced.
        assertThat(r.decide(ci(0.01, 0.05))).isEqualTo(Verdict.NOT_REPRODUCED);
    }

    @Test
    @DisplayName("non-inferiority within δ: above −δ reproduced, below −δ not, straddling −δ inconclusive")
    void nonInferiority() {
        MarginRule r = new MarginRule(MarginRule.Kind.NON_INFERIORITY, 0.02, "A − B");
        assertThat(r.decide(ci(-0.015, 0.04))).isEqualTo(Verdict.REPRODUCED);
        assertThat(r.decide(ci(-0.2, -0.05))).isEqualTo(Verdict.NOT_REPRODUCED);
        assertThat(r.decide(ci(-0.05, 0.01))).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    @DisplayName("a true tie with a wide interval is inconclusive, never a coin flip")
    void tie() {
        assertThat(new MarginRule(MarginRule.Kind.SUPERIORITY, 0, "A − B").decide(ci(-0.1, 0.1)))
                .isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(new MarginRule(MarginRule.Kind.NON_INFERIORITY, 0.02, "A − B").decide(ci(-0.1, 0.1)))
                .isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    @DisplayName("equivalence within δ: inside ±δ reproduced, wholly outside not, overlapping an edge inconclusive")
    void equivalence() {
        MarginRule r = new MarginRule(MarginRule.Kind.EQUIVALENCE, 0.5, "gap − target");
        assertThat(r.decide(ci(-0.4, 0.3))).isEqualTo(Verdict.REPRODUCED);
        assertThat(r.decide(ci(0.6, 1.2))).isEqualTo(Verdict.NOT_REPRODUCED);
        assertThat(r.decide(ci(-1.2, -0.7))).isEqualTo(Verdict.NOT_REPRODUCED);
        assertThat(r.decide(ci(0.2, 0.8))).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(r.decide(ci(-0.9, 0.9))).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    @DisplayName("an interval that cannot be computed is inconclusive; a negative margin is refused")
    void undefined() {
        MarginRule r = new MarginRule(MarginRule.Kind.SUPERIORITY, 0, "A − B");
        assertThat(r.decide(Interval.undefined(0.3, 1, "t"))).isEqualTo(Verdict.INCONCLUSIVE);
        assertThatThrownBy(() -> new MarginRule(MarginRule.Kind.SUPERIORITY, -1, "x")).hasMessageContaining(">= 0");
    }

    @Test
    @DisplayName("combining parts: any not reproduced wins, then any inconclusive, else reproduced")
    void all() {
        assertThat(MarginRule.all(List.of(Verdict.REPRODUCED, Verdict.REPRODUCED))).isEqualTo(Verdict.REPRODUCED);
        assertThat(MarginRule.all(List.of(Verdict.REPRODUCED, Verdict.INCONCLUSIVE))).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(MarginRule.all(List.of(Verdict.INCONCLUSIVE, Verdict.NOT_REPRODUCED)))
                .isEqualTo(Verdict.NOT_REPRODUCED);
        assertThat(MarginRule.all(List.of())).isEqualTo(Verdict.INCONCLUSIVE);
    }

    @Test
    @DisplayName("the statement names the kind, the margin and the quantity; the outcome adds the measured interval")
    void statement() {
        MarginRule r = new MarginRule(MarginRule.Kind.NON_INFERIORITY, 0.02, "reward, KTO − DPO");
        assertThat(r.statement()).contains("non-inferiority within δ = 0.0200").contains("reward, KTO − DPO")
                .contains("inconclusive");
        assertThat(r.apply(ci(-0.05, 0.01)).describe(3)).contains("Measured Δ = -0.020 [-0.050, +0.010]")
                .contains("→ inconclusive");
        assertThat(MarginRule.Kind.parse("non_inferiority")).isEqualTo(MarginRule.Kind.NON_INFERIORITY);
    }
}
