package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("dpo objectives: what the distribution discovers")
class ObjectivesCommandTest {

    @Test
    @DisplayName("lists the 21 built-in objectives (five core ones and the zoo's sixteen) with origin jar, requirements and hyperparameters")
    void listsAll() {
        CliRunner.Result r = CliRunner.run("objectives");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("21 objectives available:");
        for (String id : ZooDistributionTest.ALL) {
            assertThat(r.out()).contains("\n" + id + "  —  ");
        }
        assertThat(r.out()).doesNotContain("could not be used");
        assertThat(r.out()).contains("label_smoothing = 0      in [0, 0.5)")
                .contains("built-in (").contains("unpaired, needs a reference model, mismatched KL pairs");
    }

    @Test
    @DisplayName("--json gives the same catalogue to programs")
    void json() throws Exception {
        CliRunner.Result r = CliRunner.run("objectives", "--json");
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertThat(root.get("objectives")).hasSize(21);
        assertThat(root.at("/objectives/0/id").asText()).isEqualTo("aot");
        assertThat(root.at("/objectives/0/hyperparameters/0/rule").asText()).isEqualTo("> 0");
        assertThat(root.get("problems")).isEmpty();
    }
}
