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
            lab: {sft_steps: 20, train_prompts: 16, samples_per_prompt: 2, validation_prompts: 4, eval_prompts: 4,
                  max_new_tokens: 6, lrs: [0.001, 0.003]}
            scenarios:
              deterministic_preferences: {steps: 40, taus: [0.5, 1.0, 2.0], betas: [0.1], objectives: [simpo]}
              reward_kl_frontier: {steps: 4, eval_every: 2, dpo_betas: [0.1, 0.5], best_of_n: [1, 2, 4],
                                   objectives: {simpo: [{}]}}
              length_bias: {steps: 4, eval_every: 2, arms: {dpo: {dpo: {beta: 0.1}}, simpo: {simpo: {}},
                            ipo_summed: {ipo: {length_normalized: false}}}}
              unpaired_imbalanced: {steps: 4, eval_every: 2, kto_betas: [0.1], lrs: [0.001],
                                    rules: {vs_dpo_all: {kind: non_inferiority, margin: 0.05}}}
              single_stage: {sft_steps: 4, dpo_steps: 4, eval_every: 2, lrs: [0.001]}
              ipo_overfitting: {steps: 6, eval_every: 2, train_pairs: 8}
              label_noise: {steps: 4, eval_every: 2, gap_pairs: 4, lrs: [0.001]}
            """;

    /** The columns of results.csv that measure the machine, not the result. */
    private static final java.util.Set<String> COSTS = java.util.Set.of("seconds", "cpu_seconds",
            "tokens_per_second", "peak_rss_mib", "run_log");

    @Test
    @Tag("slow")
    @DisplayName("a small suite runs every scenario and writes the HTML report with plots, rules, JSON, CSV and a summary")
    void smallSuite(@TempDir Path dir) throws Exception {
        Path suite = dir.resolve("suite.yaml");
        Files.writeString(suite, SMALL_SUITE);
        CliRunner.Result r = CliRunner.run("bench", "--suite", suite.toString(), "--out", dir.resolve("out").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("Deterministic preferences").contains("Reward–KL frontier").contains("Length bias")
                .contains("Unpaired and imbalanced").contains("Single stage").contains("Over-fitting deterministic")
                .contains("Label noise").contains("report: ").doesNotContain("the scenario failed");
        Path out = dir.resolve("out");
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("data:image/png;base64,").contains("Verdict").contains("Provenance")
                .contains("git commit").contains("Verdict rules").contains("non-inferiority within δ = 0.0500")
                .contains("Learning-rate sweep").contains("Best-of-N").contains("seed-mean path of each arm")
                .contains("Measured Δ =");
        try (var plots = Files.list(out.resolve("plots"))) {
            assertThat(plots.count()).isGreaterThanOrEqualTo(8);
        }
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(results.get("scenarios")).hasSize(7);
        for (JsonNode s : results.get("scenarios")) {
            assertThat(s.get("verdict").asText()).isIn("reproduced", "not reproduced", "inconclusive");
            assertThat(s.get("reason").asText()).isNotBlank();
            if (!s.get("id").asText().equals("deterministic_preferences")) {
                assertThat(s.get("rules")).isNotEmpty();
                assertThat(s.get("design")).isNotEmpty();
            }
        }
        assertThat(results.at("/provenance/dpo4j").asText()).isNotBlank();
        assertThat(Files.readAllLines(out.resolve("results.csv")).get(0)).startsWith("scenario,");
    }

    @Test
    @Tag("slow")
    @DisplayName("results do not depend on scheduling: one run at a time and two at a time give identical rows")
    void deterministicAcrossScheduling(@TempDir Path dir) throws Exception {
        String suite = """
                name: determinism
                seeds: [1, 2]
                lab: {sft_steps: 20, train_prompts: 16, samples_per_prompt: 2, validation_prompts: 4, eval_prompts: 4,
                      max_new_tokens: 6, lrs: [0.001, 0.003]}
                scenarios:
                  reward_kl_frontier: {steps: 4, eval_every: 2, dpo_betas: [0.1, 0.5], best_of_n: [1, 2],
                                       objectives: {simpo: [{}]}}
                  single_stage: {sft_steps: 4, dpo_steps: 4, eval_every: 2}
                """;
        Path file = dir.resolve("suite.yaml");
        Files.writeString(file, suite);
        String[] csv = new String[2];
        for (int parallel = 1; parallel <= 2; parallel++) {
            Path out = dir.resolve("out-" + parallel);
            CliRunner.Result r = CliRunner.run("bench", "--suite", file.toString(), "--out", out.toString(), "--set",
                    "parallel=" + parallel);
            assertThat(r.exitCode()).as(r.err()).isZero();
            csv[parallel - 1] = withoutCosts(Files.readAllLines(out.resolve("results.csv")));
        }
        assertThat(csv[0]).contains("reward_kl_frontier").contains("single_stage");
        assertThat(csv[1]).isEqualTo(csv[0]);
    }

    /** The CSV with the machine-dependent columns blanked. */
    private static String withoutCosts(java.util.List<String> lines) {
        String[] header = lines.get(0).split(",", -1);
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            java.util.List<String> cells = splitCsv(line);
            for (int i = 0; i < cells.size(); i++) {
                sb.append(i < header.length && COSTS.contains(header[i]) ? "" : cells.get(i)).append('|');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static java.util.List<String> splitCsv(String line) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        out.add(cell.toString());
        return out;
    }

    @Test
    @DisplayName("a suite with unknown keys or invalid parameters is refused with every problem at once")
    void invalidSuite(@TempDir Path dir) throws Exception {
        Path suite = dir.resolve("bad.yaml");
        Files.writeString(suite, """
                seeds: [1, 2, 3]
                scenarios:
                  reward_kl_frontir: {}
                  length_bias: {arms: {dpo: {dpo: {beta: -1}}}, controls: [dpo, simpo]}
                  single_stage: {orpo: {lambda: 0}, rules: {vs_two_stage: {kind: better, margin: -1}}}
                """);
        CliRunner.Result r = CliRunner.run("bench", "--suite", suite.toString(), "--out", dir.resolve("o").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("6 problems").contains("did you mean 'reward_kl_frontier'")
                .contains("scenarios.single_stage.rules.vs_two_stage.kind = \"better\": must be one of superiority, "
                        + "non_inferiority, equivalence")
                .contains("scenarios.single_stage.rules.vs_two_stage.margin = -1")
                .contains("scenarios.length_bias.arms.dpo.dpo.beta = -1.0: must be > 0")
                .contains("scenarios.length_bias.controls = \"simpo\": names no arm")
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
