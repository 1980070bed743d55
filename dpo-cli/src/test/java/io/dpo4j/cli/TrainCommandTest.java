package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The same configuration trains with each built-in objective, the zoo's included: swapping is a one-line change. */
@Tag("slow")
@DisplayName("dpo train: one configuration, every objective")
class TrainCommandTest {

    @TempDir
    static Path shared;

    static final String CONFIG = """
            model: tiny
            seed: 3
            sft: {steps: 20, batch_size: 16}
            data: {max_prompt_length: 16, max_response_length: 16, max_length: 32}
            objective: {id: dpo}
            batch_size: 8
            max_steps: 3
            eval_every: 3
            checkpoint_every: 3
            evaluation: {sample_prompts: 4, max_new_tokens: 8}
            """;

    @ParameterizedTest(name = "objective.id={0}")
    @ValueSource(strings = {"dpo", "ipo", "kto", "orpo", "simpo", "hinge", "exo_pair", "nca_pair", "robust", "bco_pair",
        "sppo_hard", "aot", "aot_pair", "apo_zero", "apo_down", "discopop", "sigmoid_norm", "cpo", "dpop", "rdpo",
        "fdpo"})
    @DisplayName("trains with --set objective.id=ID, and dpo score reads the model it writes")
    void everyObjective(String id) throws Exception {
        Path config = shared.resolve("train.yaml");
        Files.writeString(config, CONFIG);
        Path out = shared.resolve("run-" + id);
        CliRunner.Result r = CliRunner.run("train", config.toString(), "--set", "objective.id=" + id, "--out",
                out.toString(), "--cache", shared.resolve("cache").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("trained 3 steps");
        assertThat(out.resolve("metrics.jsonl")).exists();
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"split\":\"train\"").contains("\"loss\""));
        boolean referenceFree = id.equals("orpo") || id.equals("simpo") || id.equals("cpo");
        assertThat(r.err().contains("reference statistics")).as("reference pass for %s", id).isEqualTo(!referenceFree);

        Path pairs = shared.resolve("pairs.jsonl");
        Files.writeString(pairs, "{\"prompt\": \"the movie was\", \"chosen\": \"great\", \"rejected\": \"bad\"}\n");
        CliRunner.Result score = CliRunner.run("score", "--model", out.resolve("model").toString(), "--data",
                pairs.toString());
        assertThat(score.exitCode()).as(score.err()).isZero();
        assertThat(score.out()).contains("\"chosen_logp\"").contains("\"rejected_tokens\":2");
    }
}
