package io.dpo4j.cli;

import static io.dpo4j.cli.TinyRuns.assertOneLineError;
import static io.dpo4j.cli.TinyRuns.list;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.DpoException;
import io.dpo4j.cli.config.ConfigFiles;
import io.dpo4j.cli.config.TrainConfig;
import io.dpo4j.core.registry.ObjectiveRegistry;
import io.dpo4j.core.reliability.FaultLedger;
import io.dpo4j.cli.RunFolder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Preflight through {@code dpo train}: each problem that can be found without a model is reported
 * before anything is created or loaded — one line, exit 1, no run folder, no cache. Where weights
 * exist, they are made unreadable, so that a check that came after loading them would fail with
 * another message.
 */
@DisplayName("Preflight: unwritable or full output, missing model files, a mismatched tokenizer, missing data — refused before anything is created")
class PreflightTest {

    static final FaultLedger LEDGER = new FaultLedger("preflight", "PreflightTest (dpo-cli)");
    static final String REFUSED = "one line, exit 1, before anything was created or loaded";

    @TempDir
    Path dir;

    @BeforeAll
    static void declare() {
        LEDGER.declare("unwritable output folder", "a parent that is a file, an output that is a file, a read-only folder");
        LEDGER.declare("nearly full output disk", "less free space than " + RunFolder.MIN_FREE_BYTES_PROPERTY + " asks for");
        LEDGER.declare("missing model file", "a model path that does not exist; a model folder without config.json, "
                + "without *.safetensors, without tokenizer.json; a config.json that is not JSON");
        LEDGER.declare("tokenizer not matching the model", "a tokenizer with more tokens than the model's vocabulary");
        LEDGER.declare("missing reference or data file", "reference, data.train, data.validation or sft.data naming "
                + "nothing, or a folder");
        LEDGER.declare("another run in the way", "an existing run without --resume; --resume with another "
                + "configuration; --resume of a folder that is no run");
    }

    @AfterAll
    static void publish() {
        LEDGER.publish();
    }

    /** Runs {@code dpo train} on the tiny configuration into dir/run with dir/cache, plus arguments. */
    CliRunner.Result train(String extraConfig, String... args) {
        List<String> all = new ArrayList<>(List.of("train", TinyRuns.config(dir, extraConfig).toString(), "--cache",
                dir.resolve("cache").toString()));
        if (List.of(args).stream().noneMatch(a -> a.equals("--out"))) {
            all.add("--out");
            all.add(dir.resolve("run").toString());
        }
        all.addAll(List.of(args));
        return CliRunner.run(all.toArray(String[]::new));
    }

    /** Nothing but the configuration (and what the test itself made) is in the test's folder. */
    void assertNothingCreated(String... made) {
        List<String> expected = new ArrayList<>(List.of(made));
        expected.add("train.yaml");
        assertThat(list(dir)).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    @DisplayName("an output folder that cannot be created (its parent is a file) or is a file")
    void unwritable() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertOneLineError(train("", "--out", file.resolve("run").toString()),
                "output folder " + file.resolve("run") + " cannot be created: " + file + " is a file, not a folder");
        assertNothingCreated("a-file");
        LEDGER.record("unwritable output folder", null, "parent is a file: " + REFUSED);
        assertOneLineError(train("", "--out", file.toString()), "output folder " + file + " is a file, not a folder");
        assertNothingCreated("a-file");
        LEDGER.record("unwritable output folder", null, "output is a file: " + REFUSED);
    }

    @Test
    @DisplayName("a read-only folder: the preflight's verdict is what a real write does (as root, permissions do not stop writes)")
    void readOnly() throws Exception {
        Path parent = Files.createDirectories(dir.resolve("read-only"));
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            boolean writable;
            try {
                Files.delete(Files.writeString(parent.resolve("probe"), "x"));
                writable = true;
            } catch (IOException e) {
                writable = false;
            }
            TrainConfig config = config(parent.resolve("run"));
            if (writable) {
                RunFolder.check(config, false, false);
                assertThat(list(parent)).isEmpty();
                LEDGER.record("unwritable output folder", null, "read-only folder that is writable after all (root): "
                        + "accepted, nothing left behind");
            } else {
                assertThatThrownBy(() -> RunFolder.check(config, false, false)).isInstanceOf(DpoException.class)
                        .hasMessageContaining("output folder " + parent.resolve("run") + " cannot be created");
                LEDGER.record("unwritable output folder", null, "read-only folder: " + REFUSED);
            }
        } finally {
            Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    static TrainConfig config(Path output) {
        ObjectNode tree = ConfigFiles.parse("t", TinyRuns.CONFIG);
        tree.put("output", output.toString());
        return TrainConfig.read("t", tree, p -> ObjectiveRegistry.discover());
    }

    @Test
    @DisplayName("a nearly full disk (-Ddpo4j.minFreeBytes above the free space); a malformed threshold")
    void nearlyFull() throws Exception {
        long free = Files.getFileStore(dir).getUsableSpace();
        String before = System.getProperty(RunFolder.MIN_FREE_BYTES_PROPERTY);
        try {
            System.setProperty(RunFolder.MIN_FREE_BYTES_PROPERTY, Long.toString(free + (1L << 30)));
            assertOneLineError(train(""), "output folder " + dir.resolve("run") + " has only ", " MiB free; a run needs "
                    + "at least ");
            assertNothingCreated();
            LEDGER.record("nearly full output disk", null, REFUSED);
            System.setProperty(RunFolder.MIN_FREE_BYTES_PROPERTY, "lots");
            assertOneLineError(train(""), "-Ddpo4j.minFreeBytes=lots: expected a number of bytes >= 0");
            assertNothingCreated();
            LEDGER.record("nearly full output disk", null, "malformed threshold: " + REFUSED);
        } finally {
            if (before == null) {
                System.clearProperty(RunFolder.MIN_FREE_BYTES_PROPERTY);
            } else {
                System.setProperty(RunFolder.MIN_FREE_BYTES_PROPERTY, before);
            }
        }
    }

    @Test
    @DisplayName("a missing model: no such folder, no config.json, no weights, no tokenizer.json, a config.json that is not JSON")
    void missingModelFiles() throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path nowhere = models.resolve("nowhere");
        assertOneLineError(train("", "--set", "model=" + nowhere), "model = " + nowhere + ": no such folder");
        LEDGER.record("missing model file", null, "no such folder: " + REFUSED);
        String[][] cases = {
            {"config.json", "no config.json; not a Hugging Face model folder"},
            {"model.safetensors", "no *.safetensors weights"},
            {"tokenizer.json", "no tokenizer.json"},
        };
        for (String[] c : cases) {
            Path model = TinyRuns.modelFolder(models.resolve("without-" + c[0]), null);
            Files.delete(model.resolve(c[0]));
            assertOneLineError(train("", "--set", "model=" + model), "model = " + model + ": " + c[1]);
            assertThat(list(dir)).doesNotContain("run", "cache");
            LEDGER.record("missing model file", null, "no " + c[0] + ": " + REFUSED);
        }
        Path broken = TinyRuns.modelFolder(models.resolve("broken-config"), null);
        Files.writeString(broken.resolve("config.json"), "{\"model_type\": \"llama\",");
        assertOneLineError(train("", "--set", "model=" + broken), broken.resolve("config.json") + ": not valid JSON");
        LEDGER.record("missing model file", null, "config.json not JSON: " + REFUSED);
        assertNothingCreated("models");
    }

    @Test
    @DisplayName("a tokenizer whose vocabulary does not fit the model's is refused before the weights are read")
    void mismatchedTokenizer() throws Exception {
        Path model = TinyRuns.modelFolder(dir.resolve("mismatched"), 20);
        // Unreadable weights: had the check come after loading them, the message would be about those.
        Files.writeString(model.resolve("model.safetensors"), "not a safetensors file");
        String message = assertOneLineError(train("", "--set", "model=" + model), model.toString(),
                "but the model's vocabulary has 20 (vocab_size in " + model.resolve("config.json") + "); they do not belong together");
        assertThat(message).containsPattern("the tokenizer has \\d+ tokens");
        assertNothingCreated("mismatched");
        LEDGER.record("tokenizer not matching the model", null, REFUSED);
    }

    @Test
    @DisplayName("a missing reference model, training, validation or supervised data file")
    void missingFiles() throws Exception {
        Path missing = dir.resolve("missing.jsonl");
        Files.createDirectories(dir.resolve("a-folder"));
        String[][] cases = {
            {"reference: " + dir.resolve("no-reference") + "\n", "reference = " + dir.resolve("no-reference") + ": no such folder"},
            {"data: {train: [" + missing + "]}\n", "data.train[0] = " + missing + ": no such file"},
            {"data: {train: [" + dir.resolve("a-folder") + "]}\n", "data.train[0] = " + dir.resolve("a-folder") + ": not a file"},
            {"data: {validation: [" + missing + "]}\n", "data.validation[0] = " + missing + ": no such file"},
        };
        for (String[] c : cases) {
            // The extra lines replace the configuration's own keys of the same name (the last one wins in --set,
            // but a YAML file may not repeat a key): write them as overrides.
            assertOneLineError(trainWithSet(c[0]), c[1]);
            assertNothingCreated("a-folder");
            LEDGER.record("missing reference or data file", null, c[1].substring(0, c[1].indexOf(' ')) + ": " + REFUSED);
        }
        assertOneLineError(train("", "--set", "sft.data=" + missing), "sft.data = " + missing + ": no such file");
        assertNothingCreated("a-folder");
        LEDGER.record("missing reference or data file", null, "sft.data: " + REFUSED);
    }

    /** Turns "key: value" or "data: {a: x, b: y}" lines into --set overrides. */
    CliRunner.Result trainWithSet(String yaml) {
        ObjectNode tree = ConfigFiles.parse("extra", yaml);
        List<String> sets = new ArrayList<>();
        tree.fields().forEachRemaining(e -> {
            if (e.getValue().isObject()) {
                e.getValue().fields().forEachRemaining(x -> sets.add(e.getKey() + "." + x.getKey() + "=" + x.getValue()));
            } else {
                sets.add(e.getKey() + "=" + e.getValue().asText());
            }
        });
        List<String> args = new ArrayList<>();
        sets.forEach(x -> {
            args.add("--set");
            args.add(x);
        });
        return train("", args.toArray(String[]::new));
    }

    @Test
    @DisplayName("another run in the way: never touched without --resume or --overwrite; --resume checks the configuration")
    void runInTheWay() throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.writeString(run.resolve("notes.txt"), "a user's file");
        assertOneLineError(train(""), "output folder " + run + " is not empty and is not a dpo run folder (it holds "
                + "notes.txt)", "(nothing was changed)");
        assertThat(list(run)).containsExactly("notes.txt");
        LEDGER.record("another run in the way", null, "a folder with content, no --resume: " + REFUSED);
        assertOneLineError(train("", "--resume"), "--resume: " + run + " holds no config.resolved.yaml");
        assertThat(list(run)).containsExactly("notes.txt");
        LEDGER.record("another run in the way", null, "--resume of a folder that is no run: " + REFUSED);
        Files.delete(run.resolve("notes.txt"));
        RunFolder.prepare(config(run), false, false, new java.io.PrintWriter(new java.io.StringWriter()));
        String resolved = Files.readString(run.resolve(RunFolder.RESOLVED));
        assertOneLineError(train("", "--resume", "--set", "optimizer.lr=0.5"), "--resume: the configuration differs");
        assertThat(list(run)).containsExactlyInAnyOrder(".dpo-run", RunFolder.RESOLVED);
        assertThat(run.resolve(RunFolder.RESOLVED)).hasContent(resolved);
        assertThat(list(dir)).doesNotContain("cache");
        LEDGER.record("another run in the way", null, "--resume with another configuration: " + REFUSED);
    }

    @Test
    @DisplayName("device: gpu on a libtorch without CUDA is refused at once, before anything is created")
    void gpuWithoutCuda() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ai.djl.engine.Engine.getInstance().getGpuCount() == 0,
                "this machine has a CUDA device");
        assertOneLineError(train("device: gpu\n"), "device gpu:0: the loaded libtorch sees 0 CUDA devices (it is the CPU "
                + "build, pytorch-native-cpu); use device cpu, or run with a CUDA libtorch (docs/training.md, "
                + "\"Devices\"; untested)");
        assertNothingCreated();
    }
}
