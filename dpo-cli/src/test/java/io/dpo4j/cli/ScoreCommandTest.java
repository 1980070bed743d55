package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.ModelFixtures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("dpo score")
class ScoreCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODEL = ModelFixtures.tinyLlama();
    private static final Path EXPECTED = MODEL.resolve("expected_logps.jsonl");

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DpoCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    private static List<JsonNode> lines(String text) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                rows.add(JSON.readTree(line));
            }
        }
        return rows;
    }

    @Test
    @DisplayName("the fixture's expected per-token and summed log-probs are reproduced to 1e-4")
    void matchesFixture() throws IOException {
        Run run = run("score", "--model", MODEL.toString(), "--data", EXPECTED.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        List<JsonNode> expected = lines(Files.readString(EXPECTED));
        List<JsonNode> actual = lines(run.out());
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = expected.get(i);
            JsonNode a = actual.get(i);
            assertThat(a.get("line").asInt()).isEqualTo(i + 1);
            assertThat(a.get("prompt").asText()).isEqualTo(e.get("prompt").asText());
            for (String side : List.of("chosen", "rejected")) {
                assertThat(a.get(side + "_tokens").asInt()).isEqualTo(e.get(side + "_tokens").asInt());
                assertThat(a.get(side + "_logp").asDouble()).as("row %d %s", i, side)
                        .isCloseTo(e.get(side + "_logp").asDouble(), within(1e-4));
                JsonNode expectedTokens = e.get(side + "_token_logps");
                JsonNode actualTokens = a.get(side + "_token_logps");
                assertThat(actualTokens.size()).isEqualTo(expectedTokens.size());
                for (int t = 0; t < expectedTokens.size(); t++) {
                    assertThat(actualTokens.get(t).asDouble()).as("row %d %s token %d", i, side, t)
                            .isCloseTo(expectedTokens.get(t).asDouble(), within(1e-4));
                }
            }
            assertThat(a.has("chosen_reward")).isFalse();
        }
    }

    @Test
    @DisplayName("with --reference, --beta and --out: reference log-probs, rewards and ranking, written to a file")
    void referenceAndOut() throws IOException {
        Path out = dir.resolve("scores.jsonl");
        Run run = run("score", "--model", MODEL.toString(), "--data", EXPECTED.toString(), "--reference",
                MODEL.toString(), "--beta", "0.5", "--out", out.toString(), "--batch-size", "3");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).isEmpty();
        List<JsonNode> rows = lines(Files.readString(out));
        assertThat(rows).hasSize(6);
        for (JsonNode row : rows) {
            assertThat(row.get("reference_chosen_logp").asDouble()).isCloseTo(row.get("chosen_logp").asDouble(),
                    within(1e-9));
            assertThat(row.get("reference_rejected_token_logps").size()).isEqualTo(row.get("rejected_tokens").asInt());
            assertThat(row.get("beta").asDouble()).isEqualTo(0.5);
            assertThat(row.get("chosen_reward").asDouble()).isZero();
            assertThat(row.get("reward_margin").asDouble()).isZero();
            assertThat(row.get("correct").asBoolean()).as("equal rewards are not a correct ranking").isFalse();
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).as("no temporary file left").hasSize(1);
        }
    }

    @Test
    @DisplayName("rewards are beta times the policy-reference gap, and the ranking follows the margin")
    void rewardsFromDifferentModels() throws IOException {
        Path other = dir.resolve("other");
        try (LlamaModel model = HuggingFaceCheckpoint.load(MODEL)) {
            ModelFixtures.randomize(model, 3);
            HuggingFaceCheckpoint.save(model, other);
        }
        Run run = run("score", "--model", MODEL.toString(), "--data", EXPECTED.toString(), "--reference",
                other.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        for (JsonNode row : lines(run.out())) {
            double chosen = 0.1 * (row.get("chosen_logp").asDouble() - row.get("reference_chosen_logp").asDouble());
            double rejected = 0.1 * (row.get("rejected_logp").asDouble()
                    - row.get("reference_rejected_logp").asDouble());
            assertThat(row.get("chosen_reward").asDouble()).isCloseTo(chosen, within(1e-9));
            assertThat(row.get("rejected_reward").asDouble()).isCloseTo(rejected, within(1e-9));
            assertThat(row.get("correct").asBoolean()).isEqualTo(chosen > rejected);
        }
    }

    @Test
    @DisplayName("a bad row fails with one line naming file, line and field, and exit code 1")
    void badRow() throws IOException {
        Path data = dir.resolve("bad.jsonl");
        Files.writeString(data, "{\"prompt\": \"long ever\", \"chosen\": \"ok\", \"rejected\": \"bad\"}\n"
                + "{\"prompt\": \"long ever\", \"rejected\": \"bad\"}\n");
        Run run = run("score", "--model", MODEL.toString(), "--data", data.toString());
        assertThat(run.exit()).isEqualTo(DpoCli.USER_ERROR);
        assertThat(run.err().strip()).isEqualTo("error: " + data + ":2: field 'chosen': missing (the row has prompt, "
                + "rejected) (set on_bad_row: skip to drop such rows)");
        assertThat(run.out()).isEmpty();
    }

    @Test
    @DisplayName("a missing model folder and a bad --beta are user errors")
    void userErrors() {
        Run missing = run("score", "--model", dir.resolve("nope").toString(), "--data", EXPECTED.toString());
        assertThat(missing.exit()).isEqualTo(DpoCli.USER_ERROR);
        assertThat(missing.err()).startsWith("error: ").contains("nope").contains("no such folder");
        Run beta = run("score", "--model", MODEL.toString(), "--data", EXPECTED.toString(), "--beta", "-1");
        assertThat(beta.exit()).isEqualTo(DpoCli.USER_ERROR);
        assertThat(beta.err()).contains("--beta -1.0: expected a positive number");
    }

    @Test
    @DisplayName("every format dpo train reads is scored: implicit prompts, conversations (rendered by the template) and unpaired rows")
    void everyFormat() throws IOException {
        Path folder = dir.resolve("model");
        Files.createDirectories(folder);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(MODEL.resolve(f), folder.resolve(f));
        }
        Files.writeString(folder.resolve("chat_template.jinja"),
                "{% for m in messages %}{{ m.content }}{% if not loop.last %} {% endif %}{% endfor %}"
                        + "{% if add_generation_prompt %} {% endif %}");
        Path implicit = dir.resolve("implicit.jsonl");
        Files.writeString(implicit, "{\"chosen\": \"long ever really film ok\", \"rejected\": \"long ever was dull\"}\n");
        Path conversation = dir.resolve("conversation.jsonl");
        Files.writeString(conversation, "{\"prompt\": [{\"role\": \"user\", \"content\": \"long ever\"}], "
                + "\"chosen\": [{\"role\": \"assistant\", \"content\": \"really film ok\"}], "
                + "\"rejected\": [{\"role\": \"assistant\", \"content\": \"was dull sad liked but very not much hated\"}]}\n");
        Path unpaired = dir.resolve("unpaired.jsonl");
        Files.writeString(unpaired, "{\"prompt\": \"long ever\", \"completion\": \"really film ok\", \"label\": true}\n");
        Run run = run("score", "--model", folder.toString(), "--data", implicit.toString(), conversation.toString(),
                unpaired.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        List<JsonNode> rows = lines(run.out());
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).get("prompt_text").asText()).isEqualTo("long ever");
        assertThat(rows.get(0).get("chosen_text").asText()).isEqualTo(" really film ok");
        assertThat(rows.get(1).get("prompt_text").asText()).isEqualTo("long ever ");
        assertThat(rows.get(2).get("completion_tokens").asInt()).isEqualTo(4);
        assertThat(rows.get(2).get("label").asBoolean()).isTrue();
        // The conversation renders to the fixture's first row (word-level: spaces do not matter), so its scores are the same.
        JsonNode first = lines(Files.readString(EXPECTED)).get(0);
        assertThat(rows.get(1).get("chosen_logp").asDouble()).isCloseTo(first.get("chosen_logp").asDouble(), within(1e-4));
        assertThat(rows.get(2).get("completion_logp").asDouble()).isCloseTo(first.get("chosen_logp").asDouble(),
                within(1e-4));
    }

    @Test
    @DisplayName("the preflight refuses a tokenizer with ids past the model's vocabulary, naming both files, before loading weights")
    void tokenizerPastVocabulary() throws IOException {
        Path folder = dir.resolve("model");
        Files.createDirectories(folder);
        for (String f : List.of("model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(MODEL.resolve(f), folder.resolve(f));
        }
        Files.writeString(folder.resolve("config.json"), Files.readString(MODEL.resolve("config.json"))
                .replace("\"vocab_size\": 57", "\"vocab_size\": 40"));
        Run run = run("score", "--model", folder.toString(), "--data", EXPECTED.toString());
        assertThat(run.exit()).isEqualTo(DpoCli.USER_ERROR);
        assertThat(run.err().strip()).isEqualTo("error: " + folder.resolve("tokenizer.json") + ": the tokenizer has 57 "
                + "tokens (ids up to 56) but the model's vocabulary has 40 (vocab_size in " + folder.resolve("config.json")
                + "); they do not belong together");
    }

    @Test
    @DisplayName("rows longer than max_position_embeddings are scored with a warning when data.max_length allows them")
    void pastMaxPositions() throws IOException {
        Path data = dir.resolve("long.jsonl");
        Files.writeString(data, "{\"prompt\": \"long ever\", \"chosen\": \"" + "film ".repeat(200).strip()
                + "\", \"rejected\": \"ok\"}\n");
        Path config = dir.resolve("config.yaml");
        Files.writeString(config, "data:\n  max_length: 100000\n");
        Run defaults = run("score", "--model", MODEL.toString(), "--data", data.toString());
        assertThat(defaults.exit()).as(defaults.err()).isZero();
        assertThat(defaults.err()).contains("max_length=128").contains("1 kept (1 truncated)");
        assertThat(lines(defaults.out()).get(0).get("chosen_tokens").asInt()).isEqualTo(127);
        Run run = run("score", "--model", MODEL.toString(), "--data", data.toString(), "--config", config.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.err()).contains("warning: data.max_length=100000 lets sequences run past the model's "
                + "max_position_embeddings=128").contains("warning: 1 of 1 rows are longer than the model's "
                + "max_position_embeddings=128 (the longest has 203 tokens)");
    }
}
