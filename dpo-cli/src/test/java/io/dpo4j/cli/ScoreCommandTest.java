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
        assertThat(run.err().strip()).isEqualTo("error: " + data + ":2: field chosen is missing");
        assertThat(run.out()).isEmpty();
    }

    @Test
    @DisplayName("a missing model folder and a bad --beta are user errors")
    void userErrors() {
        Run missing = run("score", "--model", dir.resolve("nope").toString(), "--data", EXPECTED.toString());
        assertThat(missing.exit()).isEqualTo(DpoCli.USER_ERROR);
        assertThat(missing.err()).startsWith("error: ").contains("nope").contains("not found");
        Run beta = run("score", "--model", MODEL.toString(), "--data", EXPECTED.toString(), "--beta", "-1");
        assertThat(beta.exit()).isEqualTo(DpoCli.USER_ERROR);
        assertThat(beta.err()).contains("--beta -1.0: expected a positive number");
    }
}
