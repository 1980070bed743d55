package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("dpo objectives: what the distribution discovers")
class ObjectivesCommandTest {

    @Test
    @DisplayName("lists the five built-in objectives with origin jar, requirements and hyperparameters")
    void listsFive() {
        CliRunner.Result r = CliRunner.run("objectives");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("5 objectives available:");
        for (String id : new String[] {"dpo", "ipo", "kto", "orpo", "simpo"}) {
            assertThat(r.out()).contains("\n" + id + "  —  ");
        }
        assertThat(r.out()).contains("label_smoothing = 0      in [0, 0.5)")
                .contains("built-in (").contains("unpaired, needs a reference model, mismatched KL pairs");
    }

    @Test
    @DisplayName("--json gives the same catalogue to programs")
    void json() throws Exception {
        CliRunner.Result r = CliRunner.run("objectives", "--json");
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertThat(root.get("objectives")).hasSize(5);
        assertThat(root.at("/objectives/0/id").asText()).isEqualTo("dpo");
        assertThat(root.at("/objectives/0/hyperparameters/0/rule").asText()).isEqualTo("> 0");
        assertThat(root.get("problems")).isEmpty();
    }
}
