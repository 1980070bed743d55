package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("dpo data inspect: what the model sees, for a new user")
class DataInspectCommandTest {

    @TempDir
    Path dir;

    Path model;
    Path data;

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DpoCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    /** Qwen3's real tokenizer and template, and a config.json (no weights: inspect reads none). */
    @BeforeEach
    void qwen3() throws IOException {
        model = dir.resolve("qwen3");
        Files.createDirectories(model);
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/tokenizers/qwen3/tokenizer.json.gz"))) {
            Files.copy(in, model.resolve("tokenizer.json"));
        }
        try (InputStream in = getClass().getResourceAsStream("/tokenizers/qwen3/tokenizer_config.json")) {
            Files.copy(in, model.resolve("tokenizer_config.json"));
        }
        Files.writeString(model.resolve("config.json"), "{\"architectures\": [\"Qwen2ForCausalLM\"], \"model_type\": \"qwen2\", "
                + "\"vocab_size\": 151936, \"hidden_size\": 16, \"intermediate_size\": 32, \"num_hidden_layers\": 1, "
                + "\"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"max_position_embeddings\": 40960, "
                + "\"rms_norm_eps\": 1e-6, \"rope_theta\": 1000000, \"tie_word_embeddings\": true, \"eos_token_id\": 151645}");
        data = dir.resolve("conv.jsonl");
        Files.writeString(data, "{\"prompt\": [{\"role\": \"user\", \"content\": \"Capital of France?\"}], "
                + "\"chosen\": [{\"role\": \"assistant\", \"content\": \"Paris.\"}], "
                + "\"rejected\": [{\"role\": \"assistant\", \"content\": \"Lyon.\"}]}\n"
                + "{\"prompt\": \"Q: sky?\\nA:\", \"chosen\": \" blue\", \"rejected\": \" green\"}\n");
    }

    @Test
    @DisplayName("shows the rendered prompt and responses, ids, tokens, scored positions and the EOS, then the summary")
    void rowsAndSummary() {
        Run run = run("data", "inspect", data.toString(), "--model", model.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("chat template from " + model.resolve("tokenizer_config.json") + " (chat_template)")
                .contains("eos \"<|im_end|>\" (151645)")
                .contains("prompt: 12 tokens, not scored (positions 0–11)")
                .contains("text   \"<|im_start|>user\\nCapital of France?<|im_end|>\\n<|im_start|>assistant\\n\"")
                .contains("tokens [<|im_start|>][user][\\n]")
                .contains("chosen: 9 tokens, all scored (positions 12–20, each predicted from the position before)")
                .contains("text   \"<think>\\n\\n</think>\\n\\nParis.<|im_end|>\\n\" + EOS (appended)")
                .contains("ids    [151667 271 151668 271")
                .contains("── " + data + ":2 · pair, text")
                .contains("text   \" blue\" + EOS (appended)")
                .contains("rows: 2 read, 0 skipped while loading, 2 tokenised: 2 kept (0 truncated), 0 dropped")
                .contains("limits: max_prompt_length=none, max_response_length=none, max_length=1024, truncation=truncate "
                        + "(max_position_embeddings=40960)")
                .contains("prompt tokens: min ")
                .contains("response tokens: min ");
    }

    @Test
    @DisplayName("what truncation did is shown per row and in the summary")
    void truncation() throws IOException {
        Path config = dir.resolve("short.yaml");
        Files.writeString(config, "data:\n  max_length: 12\n");
        Run run = run("data", "inspect", data.toString(), "--model", model.toString(), "--config", config.toString(),
                "--rows", "1");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("prompt: 2 tokens, not scored (positions 0–1) — CUT from 12 tokens, keeping the end").contains("1 truncated")
                .contains("(1 more rows not shown; --rows N shows more, --json writes all)")
                .contains("WARNING: 1 of 2 paired rows (50%) were truncated by the length limits");
    }

    @Test
    @DisplayName("a template with an unknown filter is one error line naming the template's file")
    void templateError() throws IOException {
        Files.writeString(model.resolve("chat_template.jinja"), "{% for m in messages %}\n{{ m.content | shout }}{% endfor %}");
        Run run = run("data", "inspect", data.toString(), "--model", model.toString());
        assertThat(run.exit()).isEqualTo(DpoCli.USER_ERROR);
        assertThat(run.err().strip()).isEqualTo("error: the chat template " + model.resolve("chat_template.jinja")
                + ":2: unknown filter 'shout'");
    }

    @Test
    @DisplayName("reads no weights: a model whose architecture dpo4j cannot run (Qwen3's) can still have its data inspected")
    void unsupportedArchitecture() throws IOException {
        Files.writeString(model.resolve("config.json"), "{\"architectures\": [\"Qwen3ForCausalLM\"], \"model_type\": "
                + "\"qwen3\", \"vocab_size\": 151936, \"max_position_embeddings\": 40960, \"eos_token_id\": 151645}");
        Run run = run("data", "inspect", data.toString(), "--model", model.toString(), "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines().count()).isEqualTo(2);
        assertThat(run.out()).contains("\"prompt_ids\":[151644,").contains("\"chosen_text\":\"<think>\\n\\n</think>");
        assertThat(run.err()).contains("rows: 2 read");
    }
}
