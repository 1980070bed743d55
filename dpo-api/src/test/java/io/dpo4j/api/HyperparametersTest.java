package io.dpo4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Hyperparameters: validation against declarations")
class HyperparametersTest {

    private static final List<Hyperparameter> SPECS = List.of(
            Hyperparameter.real("beta", 0.1, Range.positive(), "strength"),
            Hyperparameter.real("label_smoothing", 0.0, Range.closedOpen(0, 0.5), "epsilon"),
            Hyperparameter.flag("reference_free", false, "no reference"));

    @Test
    @DisplayName("missing values take their defaults, in declaration order")
    void defaults() {
        Hyperparameters h = Hyperparameters.resolve("x", SPECS, Map.of());
        assertThat(h.asMap()).containsExactly(Map.entry("beta", 0.1), Map.entry("label_smoothing", 0.0),
                Map.entry("reference_free", false));
        assertThat(h.real("beta")).isEqualTo(0.1);
        assertThat(h.flag("reference_free")).isFalse();
    }

    @Test
    @DisplayName("numbers, booleans and their string forms are accepted")
    void stringsAndNumbers() {
        Hyperparameters h = Hyperparameters.resolve("x", SPECS,
                Map.of("beta", "0.5", "label_smoothing", 0.25f, "reference_free", "TRUE"));
        assertThat(h.real("beta")).isEqualTo(0.5);
        assertThat(h.real("label_smoothing")).isEqualTo(0.25);
        assertThat(h.flag("reference_free")).isTrue();
        assertThat(Hyperparameters.resolve("x", SPECS, Map.of("beta", 2)).real("beta")).isEqualTo(2.0);
    }

    @Test
    @DisplayName("every violation is reported at once with field, value and rule")
    void allViolationsAtOnce() {
        Map<String, Object> given = new LinkedHashMap<>();
        given.put("beta", -1.0);
        given.put("label_smoothing", 0.5);
        given.put("reference_free", "maybe");
        given.put("betta", 3);
        InvalidHyperparametersException e = catchThrowableOfType(InvalidHyperparametersException.class,
                () -> Hyperparameters.resolve("dpo", SPECS, given));
        assertThat(e.violations()).extracting(Violation::field)
                .containsExactly("betta", "beta", "label_smoothing", "reference_free");
        assertThat(e.getMessage()).contains("4 invalid parameters for objective 'dpo'")
                .contains("beta = -1.0: must be > 0")
                .contains("label_smoothing = 0.5: must be in [0, 0.5)")
                .contains("reference_free = \"maybe\": must be true or false")
                .contains("did you mean 'beta'");
    }

    @Test
    @DisplayName("NaN and infinities are out of every range")
    void nonFinite() {
        assertThatThrownBy(() -> Hyperparameters.resolve("x", SPECS, Map.of("beta", Double.NaN)))
                .hasMessageContaining("beta = NaN");
        assertThatThrownBy(() -> Hyperparameters.resolve("x", SPECS, Map.of("beta", "Infinity")))
                .hasMessageContaining("must be > 0");
    }

    @Test
    @DisplayName("resolved values are immutable")
    void immutable() {
        Hyperparameters h = Hyperparameters.resolve("x", SPECS, Map.of());
        assertThatThrownBy(() -> h.asMap().put("beta", 1.0)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    @DisplayName("a declaration with an out-of-range default or a bad name is refused")
    void badDeclarations() {
        assertThatThrownBy(() -> Hyperparameter.real("beta", 0.0, Range.positive(), "d"))
                .hasMessageContaining("default of 'beta'");
        assertThatThrownBy(() -> Hyperparameter.real("Beta", 0.1, Range.positive(), "d"))
                .hasMessageContaining("snake_case");
    }

    @Test
    @DisplayName("ranges describe themselves as rules")
    void rangeRules() {
        assertThat(Range.positive().describe()).isEqualTo("> 0");
        assertThat(Range.nonNegative().describe()).isEqualTo(">= 0");
        assertThat(Range.closedOpen(0, 0.5).describe()).isEqualTo("in [0, 0.5)");
        assertThat(Range.closed(1, 2).describe()).isEqualTo("in [1, 2]");
        assertThat(Range.any().describe()).isEqualTo("any finite number");
        assertThat(Range.closedOpen(0, 0.5).contains(0.5)).isFalse();
        assertThat(Range.closedOpen(0, 0.5).contains(0)).isTrue();
    }

    @Test
    @DisplayName("'did you mean' suggests only close names")
    void suggestions() {
        assertThat(Suggestions.closest("lable_smoothing", List.of("beta", "label_smoothing"))).contains("label_smoothing");
        assertThat(Suggestions.closest("gamma", List.of("beta", "label_smoothing"))).isEmpty();
        assertThat(Suggestions.didYouMean("bta", List.of("beta"))).isEqualTo(" (did you mean 'beta'?)");
    }

    private static final List<Hyperparameter> CHOICE = List.of(Hyperparameter.choice("divergence", "reverse_kl",
            List.of("reverse_kl", "forward_kl", "js_divergence", "alpha_divergence"), "the f-divergence"));

    @Test
    @DisplayName("a choice takes its default, accepts its names (any case) and rejects others with the list and a 'did you mean'")
    void choices() {
        assertThat(Hyperparameters.resolve("fdpo", CHOICE, Map.of()).choice("divergence")).isEqualTo("reverse_kl");
        assertThat(Hyperparameters.resolve("fdpo", CHOICE, Map.of("divergence", " JS_Divergence ")).choice("divergence"))
                .isEqualTo("js_divergence");
        assertThat(CHOICE.get(0).rule()).isEqualTo("one of reverse_kl, forward_kl, js_divergence, alpha_divergence");
        assertThat(CHOICE.get(0).defaultText()).isEqualTo("reverse_kl");
        assertThatThrownBy(() -> Hyperparameters.resolve("fdpo", CHOICE, Map.of("divergence", "forward_lk")))
                .isInstanceOf(InvalidHyperparametersException.class)
                .hasMessageContaining("divergence = \"forward_lk\": must be one of reverse_kl, forward_kl, js_divergence, "
                        + "alpha_divergence (did you mean 'forward_kl'?)");
        assertThatThrownBy(() -> Hyperparameters.resolve("fdpo", CHOICE, Map.of("divergence", 0.5)))
                .hasMessageContaining("divergence = 0.5: must be one of");
        assertThatThrownBy(() -> Hyperparameters.resolve("fdpo", CHOICE, Map.of("divergence", "x")).real("divergence"))
                .isInstanceOf(InvalidHyperparametersException.class);
    }

    @Test
    @DisplayName("a choice declaration needs snake_case values, no repeats, and a default among them")
    void choiceDeclarations() {
        assertThatThrownBy(() -> Hyperparameter.choice("d", "a", List.of(), "x")).hasMessageContaining("allowed values");
        assertThatThrownBy(() -> Hyperparameter.choice("d", "c", List.of("a", "b"), "x"))
                .hasMessageContaining("must be one of [a, b]");
        assertThatThrownBy(() -> Hyperparameter.choice("d", "a", List.of("a", "a"), "x")).hasMessageContaining("twice");
        assertThatThrownBy(() -> Hyperparameter.choice("d", "A", List.of("A"), "x")).hasMessageContaining("snake_case");
    }
}
