package io.dpo4j.api.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dpo4j.api.DataLayout;
import io.dpo4j.api.Statistic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("LossCaseReader: the dpo loss input format, read strictly")
class LossCaseReaderTest {

    private static final String PAIRED = """
            {"objective": "dpo", "params": {"beta": 0.5, "reference_free": true},
             "pairs": [{"policy_chosen": -1.5, "policy_rejected": -2, "reference_chosen": -1.0,
                        "reference_rejected": -2.5, "chosen_tokens": 3, "rejected_tokens": 4}]}
            """;

    @Test
    @DisplayName("a paired case is read column-wise with its parameters")
    void paired() {
        LossCase c = LossCaseReader.parse("case.json", PAIRED);
        assertThat(c.objective()).isEqualTo("dpo");
        assertThat(c.layout()).isEqualTo(DataLayout.PAIRED);
        assertThat(c.params()).containsEntry("beta", 0.5).containsEntry("reference_free", true);
        assertThat(c.column(Statistic.POLICY_REJECTED)).containsExactly(-2.0);
        assertThat(c.column(Statistic.CHOSEN_TOKENS)).containsExactly(3.0);
        assertThat(c.rows()).isEqualTo(1);
    }

    @Test
    @DisplayName("an unpaired case with KL rows is read, labels as 1 and 0")
    void unpaired() {
        LossCase c = LossCaseReader.parse("k.json", """
                {"objective": "kto", "examples": [
                  {"policy": -1, "reference": -2, "tokens": 1, "desirable": true},
                  {"policy": -3, "reference": -2, "tokens": 2, "desirable": false}],
                 "kl": [{"policy": -4, "reference": -5, "tokens": 3}]}
                """);
        assertThat(c.layout()).isEqualTo(DataLayout.UNPAIRED);
        assertThat(c.column(Statistic.DESIRABLE)).containsExactly(1.0, 0.0);
        assertThat(c.column(Statistic.KL_POLICY)).containsExactly(-4.0);
        assertThat(c.column(Statistic.KL_REFERENCE)).containsExactly(-5.0);
    }

    @Test
    @DisplayName("every problem is reported at once, naming the file and field")
    void problemsNamed() {
        assertThatThrownBy(() -> LossCaseReader.parse("bad.json", """
                {"objective": 3, "colour": "red", "pairs": [
                  {"policy_chosen": 0.5, "policy_rejected": "x", "chosen_tokens": 0, "rejected_tokens": 1.5}]}
                """)).isInstanceOf(LossCaseFormatException.class)
                .hasMessageContaining("bad.json: 6 problems")
                .hasMessageContaining("colour: unknown field")
                .hasMessageContaining("objective: expected a string, found a number (3)")
                .hasMessageContaining("pairs[0].policy_chosen: a summed log-probability must be <= 0, found 0.5")
                .hasMessageContaining("pairs[0].policy_rejected: expected a number, found a string (\"x\")")
                .hasMessageContaining("pairs[0].chosen_tokens: a token count must be an integer >= 1, found 0")
                .hasMessageContaining("pairs[0].rejected_tokens: a token count must be an integer >= 1, found 1.5");
    }

    @Test
    @DisplayName("invalid JSON, trailing text and lenient syntax are refused with a position")
    void invalidJson() {
        assertThatThrownBy(() -> LossCaseReader.parse("t.json", "{\"objective\": \"dpo\", \"pairs\": ["))
                .hasMessageStartingWith("t.json: not valid JSON");
        assertThatThrownBy(() -> LossCaseReader.parse("t.json", "{\"objective\": \"dpo\"} extra"))
                .hasMessageContaining("t.json");
        assertThatThrownBy(() -> LossCaseReader.parse("t.json", "{objective: 'dpo'}"))
                .hasMessageStartingWith("t.json: not valid JSON");
    }

    @Test
    @DisplayName("a reference column given in some rows only is refused")
    void partialColumn() {
        assertThatThrownBy(() -> LossCaseReader.parse("p.json", """
                {"objective": "dpo", "pairs": [
                  {"policy_chosen": -1, "policy_rejected": -2, "reference_chosen": -1, "reference_rejected": -2,
                   "chosen_tokens": 1, "rejected_tokens": 1},
                  {"policy_chosen": -1, "policy_rejected": -2, "chosen_tokens": 1, "rejected_tokens": 1}]}
                """)).hasMessageContaining("reference_chosen: given in 1 of 2 rows");
    }

    @Test
    @DisplayName("files: a missing file and invalid UTF-8 are named; a byte-order mark is accepted")
    void files(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> LossCaseReader.read(dir.resolve("none.json"))).hasMessageEndingWith("none.json: no such file");
        Path bad = dir.resolve("latin1.json");
        Files.write(bad, new byte[] {'{', (byte) 0xE9, '}'});
        assertThatThrownBy(() -> LossCaseReader.read(bad)).hasMessageContaining("not valid UTF-8");
        Path bom = dir.resolve("bom.json");
        Files.writeString(bom, "\uFEFF" + PAIRED, StandardCharsets.UTF_8);
        assertThat(LossCaseReader.read(bom).objective()).isEqualTo("dpo");
    }

    @Test
    @DisplayName("string parameters (a choice such as fdpo's divergence) are read as strings; arrays are refused")
    void stringParameters() {
        LossCase c = LossCaseReader.parse("case.json", PAIRED.replace("\"reference_free\": true",
                "\"divergence\": \"js_divergence\""));
        assertThat(c.params()).containsEntry("divergence", "js_divergence");
        assertThatThrownBy(() -> LossCaseReader.parse("case.json", PAIRED.replace("\"reference_free\": true",
                "\"divergence\": [1]"))).hasMessageContaining("params.divergence: expected a number, a boolean or a string, found an array");
    }

    @Test
    @DisplayName("a folder or a device is not read as a loss case")
    void notRegular(@TempDir Path dir) {
        assertThatThrownBy(() -> LossCaseReader.read(dir)).isInstanceOf(LossCaseFormatException.class)
                .hasMessageContaining("not a regular file");
        if (Files.exists(Path.of("/dev/zero"))) {
            assertThatThrownBy(() -> LossCaseReader.read(Path.of("/dev/zero"))).hasMessageContaining("not a regular file");
        }
    }
}
