package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("dpo bench: suites, verdicts and reports")
class BenchCommandTest {

    static final String SMALL_SUITE = """
            name: test
            seeds: [1, 2, 3]
            lab: {sft_steps: 20, train_prompts: 16, samples_per_prompt: 2, held_out_prompts: 8, eval_prompts: 4,
                  max_new_tokens: 6}
            scenarios:
              deterministic_preferences: {steps: 40, taus: [0.5, 1.0, 2.0], betas: [0.1], objectives: [simpo]}
              reward_kl_frontier: {steps: 4, eval_every: 2, objectives: {dpo: [{beta: 0.1}], simpo: [{}]}}
              length_bias: {steps: 4, eval_every: 2, objectives: {dpo: {}, simpo: {}}}
              unpaired_imbalanced: {steps: 4, eval_every: 2}
              single_stage: {orpo_steps: 4, dpo_steps: 4, eval_every: 2}
            """;

    @Test
    @Tag("slow")
    @DisplayName("a small suite runs every scenario and writes the HTML report with plots, JSON, CSV and a summary")
    void smallSuite(@TempDir Path dir) throws Exception {
        Path suite = dir.resolve("suite.yaml");
        Files.writeString(suite, SMALL_SUITE);
        CliRunner.Result r = CliRunner.run("bench", "--suite", suite.toString(), "--out", dir.resolve("out").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Deterministic preferences").contains("Reward–KL frontier").contains("Length bias")
                .contains("Unpaired and imbalanced").contains("Single stage").contains("report: ");
        Path out = dir.resolve("out");
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("data:image/png;base64,").contains("Verdict").contains("Provenance")
                .contains("git commit");
        try (var plots = Files.list(out.resolve("plots"))) {
            assertThat(plots.count()).isGreaterThanOrEqualTo(4);
        }
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(results.get("scenarios")).hasSize(5);
        for (JsonNode s : results.get("scenarios")) {
            assertThat(s.get("verdict").asText()).isIn("reproduced", "not reproduced", "inconclusive");
            assertThat(s.get("reason").asText()).isNotBlank();
        }
        assertThat(results.at("/provenance/dpo4j").asText()).isNotBlank();
        assertThat(Files.readAllLines(out.resolve("results.csv")).get(0)).startsWith("scenario,");
    }

    @Test
    @DisplayName("a suite with unknown keys or invalid parameters is refused with every problem at once")
    void invalidSuite(@TempDir Path dir) throws Exception {
        Path suite = dir.resolve("bad.yaml");
        Files.writeString(suite, """
                seeds: [1, 2, 3]
                scenarios:
                  reward_kl_frontir: {}
                  length_bias: {objectives: {dpo: {beta: -1}}}
                  single_stage: {orpo: {lambda: 0}}
                """);
        CliRunner.Result r = CliRunner.run("bench", "--suite", suite.toString(), "--out", dir.resolve("o").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("3 problems").contains("did you mean 'reward_kl_frontier'")
                .contains("scenarios.length_bias.objectives.dpo.beta = -1.0: must be > 0")
                .contains("scenarios.single_stage.orpo.lambda = 0.0: must be > 0");
    }

    @Test
    @DisplayName("an unknown profile names the known ones")
    void unknownProfile() {
        CliRunner.Result r = CliRunner.run("bench", "--profile", "huge");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("unknown profile; known: quick, full");
    }
}
