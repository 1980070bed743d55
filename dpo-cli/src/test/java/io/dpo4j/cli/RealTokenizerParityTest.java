package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.SaveOptions;
import io.dpo4j.core.model.TinyModels;
import io.dpo4j.core.scoring.SequenceScore;
import io.dpo4j.core.scoring.TokenScorer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real tokenizers — Qwen3's byte-level BPE and a SentencePiece-style BPE with byte fallback (the
 * Mistral-7B vocabulary) — with random tiny models of their full vocabulary size: {@code dpo data
 * inspect --json} gives exactly the texts and ids that Python's jinja2 and Hugging Face's own
 * (JavaScript) tokenizers give under TRL's convention ({@code src/test/resources/tokenizers/generate.py}),
 * for conversational rows (multi-turn, Unicode, leading spaces), plain rows and unpaired rows; and
 * {@code dpo score}'s per-token log-probabilities on those ids equal the plain full-logits reference.
 */
@Tag("slow")
@DisplayName("Real tokenizers: dpo data inspect and dpo score against Hugging Face's tokenizers and templates")
class RealTokenizerParityTest {

    private static final ObjectMapper JSON = new ObjectMapper();

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

    static List<JsonNode> lines(String text) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isBlank()) {
                rows.add(JSON.readTree(line));
            }
        }
        return rows;
    }

    private static void copy(String resource, Path target) throws IOException {
        try (InputStream in = RealTokenizerParityTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                return;
            }
            InputStream source = resource.endsWith(".gz") ? new GZIPInputStream(in) : in;
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A random one-layer model over the tokenizer's full vocabulary, with the real tokenizer files. */
    static Path model(String family, int vocabulary, Path dir) throws IOException {
        Path folder = dir.resolve(family + "-model");
        LlamaConfig config = LlamaConfig.builder().vocabSize(vocabulary).hiddenSize(16).intermediateSize(32).numLayers(1)
                .numHeads(2).numKeyValueHeads(1).maxPositionEmbeddings(4096).tieWordEmbeddings(true)
                .tokenIds(null, List.of(0), null).build();
        try (LlamaModel m = TinyModels.randomInit(config, 7)) {
            HuggingFaceCheckpoint.save(m, folder, SaveOptions.defaults());
        }
        String base = "/tokenizers/" + family + "/";
        copy(base + "tokenizer.json.gz", folder.resolve("tokenizer.json"));
        copy(base + "tokenizer_config.json", folder.resolve("tokenizer_config.json"));
        copy(base + "chat_template.jinja", folder.resolve("chat_template.jinja"));
        return folder;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"qwen3", "sentencepiece"})
    void idsAndLogProbsMatchHuggingFace(String family) throws IOException {
        Path folder = model(family, family.equals("qwen3") ? 151936 : 32000, dir);
        Path rows = dir.resolve("rows.jsonl");
        Path unpaired = dir.resolve("unpaired.jsonl");
        copy("/tokenizers/rows.jsonl", rows);
        copy("/tokenizers/unpaired.jsonl", unpaired);
        List<JsonNode> expected = new ArrayList<>();
        try (InputStream in = getClass().getResourceAsStream("/tokenizers/" + family + "/expected.jsonl")) {
            expected.addAll(lines(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
        }

        Run inspect = run("data", "inspect", rows.toString(), unpaired.toString(), "--model", folder.toString(), "--json");
        assertThat(inspect.exit()).as(inspect.err()).isZero();
        List<JsonNode> actual = lines(inspect.out());
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = expected.get(i);
            JsonNode a = actual.get(i);
            assertThat(a.get("source").asText()).endsWith(e.get("source").asText());
            e.fieldNames().forEachRemaining(field -> {
                if (!field.equals("source")) {
                    assertThat(a.get(field)).as("%s %s", e.get("source").asText(), field).isEqualTo(e.get(field));
                }
            });
        }

        Run score = run("score", "--model", folder.toString(), "--data", rows.toString(), unpaired.toString(),
                "--batch-size", "3");
        assertThat(score.exit()).as(score.err()).isZero();
        List<JsonNode> scored = lines(score.out());
        assertThat(scored).hasSameSizeAs(expected);
        try (LlamaModel m = HuggingFaceCheckpoint.load(folder)) {
            TokenScorer naive = new TokenScorer(m, KernelType.NAIVE.create(), 0);
            for (int i = 0; i < expected.size(); i++) {
                JsonNode e = expected.get(i);
                List<String> sides = e.has("chosen_ids") ? List.of("chosen", "rejected") : List.of("completion");
                for (String side : sides) {
                    assertThat(scored.get(i).get(side + "_ids")).isEqualTo(e.get(side + "_ids"));
                    SequenceScore reference = naive.score(List.of(TokenIds.of(ints(e.get("prompt_ids")))),
                            List.of(TokenIds.of(ints(e.get(side + "_ids"))))).get(0);
                    JsonNode tokens = scored.get(i).get(side + "_token_logps");
                    assertThat(tokens.size()).isEqualTo(reference.tokens());
                    for (int t = 0; t < tokens.size(); t++) {
                        assertThat(tokens.get(t).asDouble()).as("%s %s token %d", e.get("source").asText(), side, t)
                                .isCloseTo(reference.tokenLogProbs()[t], within(1e-5));
                    }
                }
            }
        }
    }
}
