package io.dpo4j.cli;

import static io.dpo4j.cli.TinyRuns.assertOneLineError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.reliability.FaultLedger;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and careless inputs through {@code dpo train} and {@code dpo objectives}: model files that
 * are devices, bombs, not JSON, NaN or overlapping; rows and fields over their limits; a plugin jar
 * that is a zip bomb. Each gives one line naming the file, field or limit, exit 1, and creates no run
 * folder — and never quotes the content of a file that is not the user's data.
 */
@DisplayName("Hostile input: device files, size bombs, non-JSON, NaN weights, overlapping offsets, huge rows, zip bombs — one line each")
class HostileInputTest {

    static final FaultLedger LEDGER = new FaultLedger("hostile input", "HostileInputTest (dpo-cli)");
    static final String REFUSED = "one line naming the file and the problem, exit 1, no run folder";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @BeforeAll
    static void declare() {
        LEDGER.declare("config.json implying a huge model", "num_hidden_layers: 10000000 (92.8 billion parameters), "
                + "or sizes whose product overflows");
        LEDGER.declare("model file that is a device", "config.json → /dev/zero, tokenizer.json → /dev/null");
        LEDGER.declare("model file over its size limit", "a config.json of 17 MiB");
        LEDGER.declare("model file that is not JSON", "config.json, tokenizer.json, tokenizer_config.json holding text "
                + "(the message must not quote it)");
        LEDGER.declare("non-finite weights", "a NaN or an infinity in model.safetensors");
        LEDGER.declare("overlapping or non-contiguous data_offsets", "two tensors sharing bytes; bytes between tensors "
                + "or after the last");
        LEDGER.declare("row over data.max_row_bytes", "a 40 MiB row under the default 16 MiB limit; a 64 MiB row in a "
                + "64 MiB JVM; an element of a JSON array over the limit");
        LEDGER.declare("text field over data.max_field_chars", "a 2,000,000-character response under the default "
                + "limit");
        LEDGER.declare("hostile chat template", "chat_template.jinja with three nested range(1000) loops, a string "
                + "doubled 40 times, an unknown filter, an unknown function, a macro that recurses forever");
        LEDGER.declare("plugin jar that is a zip bomb", "a services file inflating to 128 MiB; dpo objectives must "
                + "still list the built-in objectives");
    }

    @AfterAll
    static void publish() {
        LEDGER.publish();
    }

    /** A model folder, a data file, and a configuration training on them for one step. */
    Path setUp() throws IOException {
        Path model = TinyRuns.modelFolder(dir.resolve("model"), null);
        Files.writeString(dir.resolve("pairs.jsonl"), """
                {"prompt": "the film", "chosen": " was great", "rejected": " was bad"}
                {"prompt": "the food", "chosen": " was good", "rejected": " was awful"}
                """);
        return model;
    }

    CliRunner.Result train(Path data, String... extra) throws IOException {
        Path config = Files.writeString(dir.resolve("train.yaml"), "model: " + dir.resolve("model") + "\n"
                + "sft: {enabled: false}\n"
                + "data: {train: [" + data + "], validation: [" + dir.resolve("pairs.jsonl") + "]}\n"
                + "batch_size: 2\nmax_steps: 1\neval_every: 1\ncheckpoint_every: 1\nevaluation: {sample_prompts: 0}\n");
        List<String> args = new ArrayList<>(List.of("train", config.toString(), "--out", dir.resolve("run").toString(),
                "--cache", dir.resolve("cache").toString()));
        args.addAll(List.of(extra));
        return CliRunner.run(args.toArray(String[]::new));
    }

    CliRunner.Result train(String... extra) throws IOException {
        return train(dir.resolve("pairs.jsonl"), extra);
    }

    void assertNoRun() {
        assertThat(dir.resolve("run")).doesNotExist();
    }

    void replaceConfig(Path model, String field, Object value) throws IOException {
        ObjectNode config = (ObjectNode) JSON.readTree(model.resolve("config.json").toFile());
        config.set(field, JSON.valueToTree(value));
        Files.writeString(model.resolve("config.json"), config.toPrettyString());
    }

    @Test
    @DisplayName("config.json with num_hidden_layers: 10000000, or sizes that overflow: refused before anything is allocated")
    void hugeModel() throws Exception {
        Path model = setUp();
        replaceConfig(model, "num_hidden_layers", 10_000_000);
        assertOneLineError(train(), model.resolve("config.json").toString(), "parameters", "num_hidden_layers 10000000",
                "more than the", "of memory available");
        assertNoRun();
        LEDGER.record("config.json implying a huge model", null, "10,000,000 layers: " + REFUSED);
        replaceConfig(model, "num_hidden_layers", 2_000_000_000);
        replaceConfig(model, "intermediate_size", 2_000_000_000);
        replaceConfig(model, "hidden_size", 2_000_000_000);
        replaceConfig(model, "num_attention_heads", 1);
        replaceConfig(model, "num_key_value_heads", 1);
        assertOneLineError(train(), model.resolve("config.json").toString());
        assertNoRun();
        LEDGER.record("config.json implying a huge model", null, "sizes whose product overflows: " + REFUSED);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    @DisplayName("config.json → /dev/zero and tokenizer.json → /dev/null: 'not a regular file', not 'file not found' or out of memory")
    void deviceFiles() throws Exception {
        Path model = setUp();
        Path config = model.resolve("config.json");
        Path saved = Files.move(config, dir.resolve("config.json.saved"));
        Files.createSymbolicLink(config, Path.of("/dev/zero"));
        assertOneLineError(train(), config.toString(), "is not a regular file");
        assertNoRun();
        LEDGER.record("model file that is a device", null, "config.json → /dev/zero: " + REFUSED);
        Files.delete(config);
        Files.move(saved, config);
        Path tokenizer = model.resolve("tokenizer.json");
        Files.delete(tokenizer);
        Files.createSymbolicLink(tokenizer, Path.of("/dev/null"));
        String line = assertOneLineError(train(), tokenizer.toString(), "is not a regular file");
        assertThat(line).doesNotContain("not found");
        assertNoRun();
        LEDGER.record("model file that is a device", null, "tokenizer.json → /dev/null: " + REFUSED);
    }

    @Test
    @DisplayName("a 17 MiB config.json: over its limit, named with the limit")
    void oversizedConfig() throws Exception {
        Path model = setUp();
        String config = Files.readString(model.resolve("config.json"));
        Files.writeString(model.resolve("config.json"), config + " ".repeat(17 << 20));
        assertOneLineError(train(), model.resolve("config.json").toString(), "over the 16 MiB limit for config.json");
        assertNoRun();
        LEDGER.record("model file over its size limit", null, REFUSED + ", the limit named");
    }

    @Test
    @DisplayName("config.json, tokenizer.json and tokenizer_config.json that are not JSON: line and column, never their content")
    void notJson() throws Exception {
        Path model = setUp();
        for (String name : List.of("config.json", "tokenizer_config.json", "tokenizer.json")) {
            Path file = model.resolve(name);
            byte[] original = Files.readAllBytes(file);
            Files.writeString(file, "hunter2 is my password\n");
            String line = assertOneLineError(train(), file.toString(), "not valid JSON (line 1, column 1)");
            assertThat(line).doesNotContain("hunter2").doesNotContain("password");
            assertNoRun();
            Files.write(file, original);
            LEDGER.record("model file that is not JSON", null, name + ": " + REFUSED + ", content not quoted");
        }
    }

    @Test
    @DisplayName("a NaN or an infinity in the weights: refused at load, naming the file, the tensor and the element")
    void nonFiniteWeights() throws Exception {
        Path model = setUp();
        Path weights = model.resolve("model.safetensors");
        byte[] original = Files.readAllBytes(weights);
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            Files.write(weights, original);
            Safetensors file = Safetensors.read(weights);
            long offset = file.dataOffset("model.norm.weight") + 4 * 3;
            ByteBuffer.wrap(file.data).order(ByteOrder.LITTLE_ENDIAN).putFloat((int) offset, bad);
            file.write(weights);
            assertOneLineError(train(), weights.toString(), "tensor model.norm.weight holds "
                    + (Float.isNaN(bad) ? "NaN" : "+Infinity") + " at element 3");
            assertThat(TinyRuns.list(dir.resolve("run").resolve("checkpoints"))).isEmpty();
            LEDGER.record("non-finite weights", null, (Float.isNaN(bad) ? "NaN" : "infinity")
                    + ": one line naming the file and tensor, exit 1, no checkpoint");
            CheckpointStoreCleanup.delete(dir.resolve("run"));
        }
    }

    @Test
    @DisplayName("overlapping data_offsets, a gap between tensors, bytes after the last: refused naming the tensors")
    void offsets() throws Exception {
        Path model = setUp();
        Path weights = model.resolve("model.safetensors");
        byte[] original = Files.readAllBytes(weights);
        Safetensors file = Safetensors.read(weights);
        String a = "model.layers.0.input_layernorm.weight";
        String b = "model.layers.0.post_attention_layernorm.weight";
        ((ObjectNode) file.header.get(b)).set("data_offsets", file.header.get(a).get("data_offsets").deepCopy());
        file.write(weights);
        assertOneLineError(train(), weights.toString(), "overlap", a, b);
        assertNoRun();
        LEDGER.record("overlapping or non-contiguous data_offsets", null, "two tensors sharing bytes: " + REFUSED);
        Files.write(weights, original);
        file = Safetensors.read(weights);
        file.data = Arrays.copyOf(file.data, file.data.length + 8);
        file.write(weights);
        assertOneLineError(train(), weights.toString(), "trailing bytes belong to no tensor");
        assertNoRun();
        LEDGER.record("overlapping or non-contiguous data_offsets", null, "bytes after the last tensor: " + REFUSED);
        Files.write(weights, original);
        file = Safetensors.read(weights);
        String first = file.first();
        ArrayNode offsets = (ArrayNode) file.header.get(first).get("data_offsets");
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        for (var e : file.header.properties()) {
            if (!e.getKey().equals("__metadata__")) {
                ArrayNode o = (ArrayNode) e.getValue().get("data_offsets");
                o.set(0, o.get(0).asLong() + 8);
                o.set(1, o.get(1).asLong() + 8);
            }
        }
        byte[] shifted = new byte[file.data.length + 8];
        System.arraycopy(file.data, 0, shifted, 8, file.data.length);
        file.data = shifted;
        file.write(weights);
        assertOneLineError(train(), weights.toString(), "data bytes [0, 8) before the first tensor " + first,
                "contiguous");
        assertNoRun();
        assertThat(end).isGreaterThan(begin);
        LEDGER.record("overlapping or non-contiguous data_offsets", null, "a gap before the first tensor: " + REFUSED);
    }

    @Test
    @DisplayName("a 40 MiB row and a 2,000,000-character field: refused naming the row, the field and the limit")
    void rowAndFieldLimits() throws Exception {
        setUp();
        Path big = dir.resolve("big.jsonl");
        writeRow(big, "x".repeat(40 << 20));
        assertOneLineError(train(big), big + ":2: the row has", "over the limit data.max_row_bytes = 16777216");
        assertNoRun();
        LEDGER.record("row over data.max_row_bytes", null, "40 MiB row, JSON Lines: " + REFUSED + ", line and limit named");
        Path array = dir.resolve("big.json");
        Files.writeString(array, "[{\"prompt\": \"p\", \"chosen\": \"c\", \"rejected\": \"r\"},\n {\"prompt\": \"p\", "
                + "\"chosen\": \"" + "x".repeat(20 << 20) + "\", \"rejected\": \"r\"}]");
        assertOneLineError(train(array), array + ":2: element 1 of the JSON array is longer than the limit "
                + "data.max_row_bytes = 16777216");
        assertNoRun();
        LEDGER.record("row over data.max_row_bytes", null, "20 MiB element of a JSON array: " + REFUSED);
        Path field = dir.resolve("field.jsonl");
        writeRow(field, "word ".repeat(400_000));
        assertOneLineError(train(field), field + ":2: field 'chosen': has 2000000 characters, over the limit "
                + "data.max_field_chars = 1000000");
        assertNoRun();
        LEDGER.record("text field over data.max_field_chars", null, REFUSED + ", row, field and limit named");
        CliRunner.Result raised = train(field, "--set", "data.max_field_chars=3000000", "--validate-only");
        assertThat(raised.exitCode()).as(raised.err()).isZero();
    }

    @Test
    @Tag("slow")
    @DisplayName("a 64 MiB row read by a JVM of 64 MiB heap: the row limit, not an out-of-memory error (the row is streamed past)")
    void rowLimitBoundsMemory() throws Exception {
        setUp();
        Path big = dir.resolve("huge.jsonl");
        writeRow(big, "y".repeat(64 << 20));
        Path config = Files.writeString(dir.resolve("child.yaml"), "model: " + dir.resolve("model") + "\n"
                + "sft: {enabled: false}\ndata: {train: [" + big + "]}\n");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-Xss4m", "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), "io.dpo4j.cli.DpoMain",
                "train", config.toString(), "--out", dir.resolve("run").toString(), "--cache", dir.resolve("cache").toString())
                .redirectOutput(dir.resolve("child.out").toFile()).redirectError(dir.resolve("child.err").toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) { // a hang guard, not a timing assertion
            p.destroyForcibly().waitFor();
            throw new AssertionError("the child hung");
        }
        String err = Files.readString(dir.resolve("child.err"));
        assertOneLineError(new CliRunner.Result(p.exitValue(), "", err), big + ":2: the row has 67108910 bytes, over "
                + "the limit data.max_row_bytes");
        assertNoRun();
        LEDGER.record("row over data.max_row_bytes", null, "64 MiB row, 64 MiB heap: " + REFUSED + ", no out-of-memory");
    }

    @Test
    @DisplayName("a plugin jar whose services file inflates to 128 MiB: refused as a zip bomb, dpo objectives still works")
    void zipBomb() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(plugins.resolve("bomb.jar")))) {
            zip.putNextEntry(new ZipEntry("META-INF/services/io.dpo4j.api.PreferenceObjective"));
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) '\n');
            for (int i = 0; i < 128; i++) {
                zip.write(chunk);
            }
            zip.closeEntry();
        }
        CliRunner.Result r = CliRunner.run("--plugins", plugins.toString(), "objectives");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out() + r.err()).contains("bomb.jar").contains("zip bomb").contains("dpo").contains("simpo");
        assertThat(r.out() + r.err()).doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
        LEDGER.record("plugin jar that is a zip bomb", null, "refused with one warning naming the jar and the entry; "
                + "the built-in objectives listed, exit 0");
        Path config = Files.writeString(dir.resolve("plugins.yaml"), "plugins: [" + plugins + "]\n");
        CliRunner.Result validate = CliRunner.run("train", config.toString(), "--validate-only");
        assertThat(validate.exitCode()).as(validate.err()).isZero();
        assertThat(validate.err()).contains("loading plugin code from " + plugins);
    }

    static void writeRow(Path file, String chosen) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write("{\"prompt\": \"the film\", \"chosen\": \" was great\", \"rejected\": \" was bad\"}\n"
                    .getBytes(StandardCharsets.UTF_8));
            out.write(("{\"prompt\": \"p\", \"chosen\": \"" + chosen + "\", \"rejected\": \"r\"}\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Deletes a run folder between cases. */
    static final class CheckpointStoreCleanup {
        static void delete(Path run) throws IOException {
            io.dpo4j.core.train.CheckpointStore.deleteTree(run);
        }
    }

    /** A safetensors file as header and data, to be edited and written back. */
    static final class Safetensors {
        ObjectNode header;
        byte[] data;

        static Safetensors read(Path file) throws IOException {
            byte[] all = Files.readAllBytes(file);
            long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            Safetensors s = new Safetensors();
            s.header = (ObjectNode) JSON.readTree(new String(all, 8, (int) n, StandardCharsets.UTF_8));
            s.data = Arrays.copyOfRange(all, 8 + (int) n, all.length);
            return s;
        }

        long dataOffset(String tensor) {
            return header.get(tensor).get("data_offsets").get(0).asLong();
        }

        String first() {
            String best = null;
            long at = Long.MAX_VALUE;
            for (var e : header.properties()) {
                if (!e.getKey().equals("__metadata__") && e.getValue().get("data_offsets").get(0).asLong() < at) {
                    at = e.getValue().get("data_offsets").get(0).asLong();
                    best = e.getKey();
                }
            }
            return best;
        }

        void write(Path file) throws IOException {
            byte[] h = JSON.writeValueAsBytes(header);
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
                out.write(h);
                out.write(data);
            }
        }
    }

    @Test
    @DisplayName("chat templates that never end, explode, recurse or call what does not exist: one line naming the template")
    void hostileTemplates() throws Exception {
        Path model = setUp();
        Path conversations = Files.writeString(dir.resolve("conversations.jsonl"), """
                {"prompt": [{"role": "user", "content": "the film"}], "chosen": [{"role": "assistant", "content": "was great"}], "rejected": [{"role": "assistant", "content": "was bad"}]}
                {"prompt": [{"role": "user", "content": "the food"}], "chosen": [{"role": "assistant", "content": "was good"}], "rejected": [{"role": "assistant", "content": "was awful"}]}
                """);
        Path template = model.resolve("chat_template.jinja");
        String[][] cases = {
            {"{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}x{% endfor %}{% endfor %}"
                    + "{% endfor %}", "the loop limit", "nested loops of 10^9 iterations"},
            {"{% set s = namespace(v='ab') %}{% for i in range(40) %}{% set s.v = s.v ~ s.v %}{% endfor %}{{ s.v }}",
                    "the output size limit", "a string doubled 40 times"},
            {"{{ messages[0].content | frobnicate }}", "unknown filter 'frobnicate'", "an unknown filter"},
            {"{{ nosuchfunction(1) }}", "'nosuchfunction' is undefined", "an unknown function"},
            {"{% macro r(n) %}{{ r(n) }}{% endmacro %}{{ r(1) }}", "recurses more than", "endless recursion"},
        };
        for (String[] c : cases) {
            Files.writeString(template, c[0]);
            assertOneLineError(train(conversations), template.toString(), c[1]);
            // templates render when the data is tokenised, after the run folder is made: nothing trained or saved
            assertThat(TinyRuns.list(dir.resolve("run").resolve("checkpoints"))).isEmpty();
            assertThat(dir.resolve("run").resolve("model")).doesNotExist();
            CheckpointStoreCleanup.delete(dir.resolve("run"));
            LEDGER.record("hostile chat template", null, c[2] + ": one line naming the template file and the limit, "
                    + "exit 1, no checkpoint");
        }
    }

}
