package io.dpo4j.cli.memory;

import ai.djl.ndarray.NDManager;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.SaveOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;

/**
 * {@code dpo bench-memory --save-model DIR --tokenizer TOK}: a random-weight checkpoint of a real shape in the
 * Hugging Face layout (float32), with a real tokenizer's files, so that {@code dpo train} and {@code dpo score}
 * can be measured at that shape without downloading anything. The tokenizer folder may hold
 * {@code tokenizer.json} or, as this project's test resources do, {@code tokenizer.json.gz}.
 */
final class RandomCheckpoint {

    private RandomCheckpoint() {
    }

    /** Writes the model of {@code shape} with the tokenizer of {@code tokenizer} into {@code out}. */
    static void write(RealShapes shape, Path tokenizer, Path out) throws IOException {
        if (!Files.isDirectory(tokenizer)) {
            throw new DpoException("--tokenizer = " + tokenizer + ": not a folder");
        }
        Path staged = Files.createTempDirectory("dpo-tokenizer");
        try {
            for (String name : HuggingFaceCheckpoint.TOKENIZER_FILES) {
                Path plain = tokenizer.resolve(name);
                Path gz = tokenizer.resolve(name + ".gz");
                if (Files.isRegularFile(plain)) {
                    Files.copy(plain, staged.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                } else if (Files.isRegularFile(gz)) {
                    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                        Files.copy(in, staged.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            if (!Files.isRegularFile(staged.resolve("tokenizer.json"))) {
                throw new DpoException("--tokenizer = " + tokenizer + ": no tokenizer.json or tokenizer.json.gz");
            }
            try (NDManager root = NDManager.newBaseManager();
                    LlamaModel model = MemoryRow.randomModel(shape.config(), root.newSubManager())) {
                HuggingFaceCheckpoint.save(model, out, SaveOptions.defaults().withTokenizerSource(staged));
            }
        } finally {
            try (var files = Files.list(staged)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(staged);
        }
    }
}
