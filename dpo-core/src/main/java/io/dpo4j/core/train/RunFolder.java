package io.dpo4j.core.train;

import io.dpo4j.core.DpoException;
import io.dpo4j.core.config.ConfigFiles;
import io.dpo4j.core.config.TrainConfig;
import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.tokenizer.TextTokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The run folder: checked before any model is loaded (writable, enough free space, not holding
 * another run unless resuming or overwriting), and given the fully resolved configuration.
 */
public final class RunFolder {

    /** The resolved configuration's file name. */
    public static final String RESOLVED = "config.resolved.yaml";
    /** Free space below which a run refuses to start. */
    public static final long MIN_FREE_BYTES = 64L << 20;

    private RunFolder() {
    }

    /** Prepares the output folder; see the class comment. */
    public static void prepare(TrainConfig config, boolean resume, boolean overwrite, PrintWriter log) throws IOException {
        Path out = config.output();
        String resolved = ConfigFiles.toYaml(config.toTree());
        if (Files.isDirectory(out) && !isEmpty(out)) {
            Path previous = out.resolve(RESOLVED);
            if (resume) {
                if (!Files.isRegularFile(previous)) {
                    throw new DpoException("--resume: " + out + " holds no " + RESOLVED + "; it is not a dpo run folder");
                }
                // Compare as re-serialised YAML: a loaded tree has IntNodes where toTree() has LongNodes.
                String before = ConfigFiles.toYaml(ConfigFiles.load(previous));
                String now = ConfigFiles.toYaml(ConfigFiles.parse("resolved", resolved));
                if (!before.equals(now)) {
                    throw new DpoException("--resume: the configuration differs from the one " + out + " was started "
                            + "with (" + previous + "); resume with the same configuration, or start a new run with --out");
                }
            } else if (overwrite) {
                log.println("output: replacing the previous run in " + out + " (--overwrite)");
                CheckpointStore.deleteTree(out);
            } else {
                throw new DpoException("output folder " + out + " already holds a run; pass --resume to continue it, "
                        + "--overwrite to replace it, or choose another folder with --out (nothing was changed)");
            }
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new DpoException("output folder " + out + " cannot be created: " + e.getMessage());
        }
        if (!Files.isWritable(out)) {
            throw new DpoException("output folder " + out + " is not writable");
        }
        Path probe = out.resolve(".write-probe");
        try {
            Files.writeString(probe, "probe");
            Files.delete(probe);
        } catch (IOException e) {
            throw new DpoException("output folder " + out + " is not writable: " + e.getMessage());
        }
        FileStore store = Files.getFileStore(out);
        long free = store.getUsableSpace();
        if (free < MIN_FREE_BYTES) {
            throw new DpoException(String.format(java.util.Locale.ROOT,
                    "output folder %s has only %.1f MiB free; a run needs at least %d MiB for checkpoints", out,
                    free / 1048576.0, MIN_FREE_BYTES >> 20));
        }
        AtomicFiles.writeString(out.resolve(RESOLVED), resolved);
    }

    /** Refuses a tokenizer whose ids do not fit the model's vocabulary. */
    public static void checkTokenizer(TextTokenizer tokenizer, int modelVocabulary, Path folder) {
        long eos = tokenizer.eosTokenId().orElseThrow(() -> new DpoException(folder
                + ": the tokenizer defines no end-of-sequence token (eos_token in tokenizer_config.json)"));
        int size = tokenizer.vocabularySize().orElse(0);
        if (size > modelVocabulary || eos >= modelVocabulary) {
            throw new DpoException(folder + ": the tokenizer has " + Math.max(size, eos + 1) + " tokens (eos id " + eos
                    + ") but the model's vocabulary has " + modelVocabulary + "; they do not belong together");
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
