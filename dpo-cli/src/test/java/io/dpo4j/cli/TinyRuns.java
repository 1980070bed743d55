package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.SaveOptions;
import io.dpo4j.core.model.TinyModels;
import io.dpo4j.core.model.safetensors.SafetensorsFile;
import io.dpo4j.core.model.safetensors.TensorEntry;
import io.dpo4j.core.synthetic.SentimentLexicon;
import io.dpo4j.core.synthetic.WordLevelTokenizerFiles;
import io.dpo4j.core.train.CheckpointStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What the reliability tests share: the tiny run's configuration, a cache, weights, and error checks. */
final class TinyRuns {

    /** The tiny run the reliability tests train (a couple of seconds in process). */
    static final String CONFIG = """
            model: tiny
            seed: 11
            sft: {steps: 20, batch_size: 16}
            data: {max_prompt_length: 16, max_response_length: 16, max_length: 32}
            objective: {id: dpo}
            optimizer: {lr: 1.0e-3}
            batch_size: 8
            max_steps: 12
            eval_every: 4
            checkpoint_every: 2
            keep_checkpoints: 2
            evaluation: {sample_prompts: 4, max_new_tokens: 8}
            """;

    private static Path cache;

    private TinyRuns() {
    }

    /**
     * A cache folder shared by the reliability tests of this JVM (synthetic data, the warmed-up tiny
     * model, reference statistics: all keyed by content, so sharing is safe), deleted at exit.
     */
    static synchronized Path sharedCache() {
        if (cache == null) {
            try {
                cache = Files.createTempDirectory("dpo4j-reliability-cache");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path folder = cache;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    CheckpointStore.deleteTree(folder);
                } catch (IOException e) {
                    // a temporary folder
                }
            }));
        }
        return cache;
    }

    /** Writes {@link #CONFIG} (plus extra lines) into a file. */
    static Path config(Path dir, String extra) {
        try {
            Files.createDirectories(dir);
            Path file = dir.resolve("train.yaml");
            Files.writeString(file, CONFIG + extra);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every tensor of a model folder's model.safetensors, as floats. */
    static Map<String, float[]> weights(Path modelFolder) {
        try (SafetensorsFile f = SafetensorsFile.open(modelFolder.resolve("model.safetensors"))) {
            Map<String, float[]> out = new TreeMap<>();
            for (Map.Entry<String, TensorEntry> e : f.tensors().entrySet()) {
                out.put(e.getKey(), f.readAsFloat32(e.getValue()));
            }
            return out;
        }
    }

    /** The largest absolute difference between two models' weights (they must have the same tensors). */
    static double maxDifference(Map<String, float[]> a, Map<String, float[]> b) {
        assertThat(a.keySet()).isEqualTo(b.keySet());
        double max = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k);
            float[] y = b.get(k);
            assertThat(x).as(k).hasSameSizeAs(y);
            for (int i = 0; i < x.length; i++) {
                max = Math.max(max, Math.abs((double) x[i] - y[i]));
            }
        }
        return max;
    }

    /**
     * The error reached the user as one clean line: exit status 1, exactly one line starting with
     * "error: " on standard error, holding every given fragment, and no stack trace.
     */
    static String assertOneLineError(CliRunner.Result r, String... fragments) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
        assertThat(errors).as(r.err()).hasSize(1);
        assertThat(r.err()).as("no stack trace").doesNotContain("\tat ").doesNotContain("Exception");
        for (String f : fragments) {
            assertThat(errors.get(0)).contains(f);
        }
        return errors.get(0);
    }

    /** The names in a folder (empty when it does not exist). */
    static List<String> list(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A small Hugging Face model folder (config.json, model.safetensors, tokenizer files) over the
     * built-in language's words; {@code vocabulary} below the tokenizer's size makes a mismatched one.
     */
    static Path modelFolder(Path folder, Integer vocabulary) throws IOException {
        Path tokenizer = folder.resolveSibling(folder.getFileName() + "-tokenizer");
        List<String> words = SentimentLexicon.vocabulary();
        WordLevelTokenizerFiles.write(tokenizer, words, 128);
        int vocab = vocabulary == null ? WordLevelTokenizerFiles.vocabularySize(words) : vocabulary;
        LlamaConfig config = TinyModels.defaultConfig(vocab, 1, 0);
        try (NDManager manager = NDManager.newBaseManager();
                LlamaModel model = TinyModels.randomInit(config, 5, manager.newSubManager())) {
            HuggingFaceCheckpoint.save(model, folder, SaveOptions.defaults().withTokenizerSource(tokenizer));
        }
        CheckpointStore.deleteTree(tokenizer);
        return folder;
    }
}
