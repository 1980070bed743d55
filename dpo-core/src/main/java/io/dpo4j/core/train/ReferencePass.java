package io.dpo4j.core.train;

import ai.djl.ndarray.NDManager;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.model.HuggingFaceCheckpoint;
import io.dpo4j.core.model.LlamaModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one no-grad pass of the reference model over every sequence training and evaluation will need
 * (chosen, rejected, unpaired completions, and KTO's mismatched pairs), stored in a
 * {@link ReferenceCache} file. The model is loaded only when the cache lacks something, and closed
 * before training starts.
 */
public final class ReferencePass {

    /** What happened: the cache, whether the model ran, and how many sequences it scored. */
    public record Outcome(ReferenceCache cache, Path file, boolean reused, int scored) {
    }

    /**
     * A test hook: milliseconds to pause after the reference model has scored every sequence and
     * before the cache is written — so that a test can kill the process inside the reference pass.
     * Unset (the default) or 0 means no pause.
     */
    public static final String PAUSE_PROPERTY = "dpo4j.test.referencePauseMillis";

    private ReferencePass() {
    }

    /**
     * Returns a cache holding every given sequence, computing what is missing with the reference model.
     *
     * @param referenceFolder the reference model (Hugging Face layout)
     * @param cacheFile where the cache lives
     * @param sequences (prompt, response) pairs to cover
     */
    public static Outcome run(Path referenceFolder, Path cacheFile, List<TokenIds[]> sequences, LogProbKernel kernel,
            int padId, int batchRows, PrintWriter log) throws IOException {
        return run(referenceFolder, null, cacheFile, sequences, kernel, padId, batchRows, ai.djl.Device.cpu(), log);
    }

    /**
     * As {@link #run(Path, Path, List, LogProbKernel, int, int, PrintWriter)}, the reference being the model in
     * {@code referenceFolder} with the PEFT adapter in {@code adapterFolder} attached (when not null), on
     * {@code device}; with a null {@code cacheFile} the statistics are computed in memory and not kept.
     */
    public static Outcome run(Path referenceFolder, Path adapterFolder, Path cacheFile, List<TokenIds[]> sequences,
            LogProbKernel kernel, int padId, int batchRows, ai.djl.Device device, PrintWriter log) throws IOException {
        return run(referenceFolder, adapterFolder, cacheFile, sequences, kernel, padId, batchRows, device,
                BatchLayout.padded(), log);
    }

    /**
     * As {@link #run(Path, Path, Path, List, LogProbKernel, int, int, ai.djl.Device, PrintWriter)}, scoring in the
     * given layout (prompt sharing, packing: the same values, less compute).
     */
    public static Outcome run(Path referenceFolder, Path adapterFolder, Path cacheFile, List<TokenIds[]> sequences,
            LogProbKernel kernel, int padId, int batchRows, ai.djl.Device device, BatchLayout layout, PrintWriter log)
            throws IOException {
        ReferenceCache cache = cacheFile == null ? null : ReferenceCache.load(cacheFile).orElse(null);
        boolean existed = cache != null;
        if (cache == null) {
            if (cacheFile != null && Files.exists(cacheFile)) {
                log.println("reference statistics: " + cacheFile + " is unreadable or corrupt; recomputing it");
            }
            cache = ReferenceCache.empty();
        }
        Map<ReferenceCache.Key, TokenIds[]> missing = new LinkedHashMap<>();
        for (TokenIds[] s : sequences) {
            ReferenceCache.Key key = ReferenceCache.Key.of(s[0].toArray(), s[1].toArray());
            if (!cache.contains(key)) {
                missing.putIfAbsent(key, s);
            }
        }
        if (missing.isEmpty()) {
            log.println("reference statistics: reused " + cacheFile + " (" + cache.size() + " sequences; the reference "
                    + "model is not loaded)");
            return new Outcome(cache, cacheFile, true, 0);
        }
        log.println("reference statistics: scoring " + missing.size() + " sequences with the reference model "
                + referenceFolder + (adapterFolder == null ? "" : " and the adapter " + adapterFolder)
                + (existed ? " (completing " + cacheFile + ")" : "") + ", " + batchRows + " a batch");
        List<TokenIds> prompts = new ArrayList<>();
        List<TokenIds> responses = new ArrayList<>();
        for (TokenIds[] s : missing.values()) {
            prompts.add(s[0]);
            responses.add(s[1]);
        }
        double[] values;
        try (NDManager manager = NDManager.newBaseManager(device);
                LlamaModel reference = HuggingFaceCheckpoint.load(referenceFolder, manager.newSubManager());
                ProgressBar bar = new ProgressBar(log, "reference pass", missing.size())) {
            if (adapterFolder != null) {
                reference.attachAdapter(io.dpo4j.core.lora.PeftAdapterFiles.load(adapterFolder, reference));
                reference.setTrainable(false);
            }
            values = new SequenceScorer(reference, kernel, padId, batchRows, layout).score(prompts, responses, manager,
                    done -> bar.update(done, "sequences"));
        }
        pauseForTests();
        int i = 0;
        for (ReferenceCache.Key key : missing.keySet()) {
            cache.put(key, values[i++]);
        }
        if (cacheFile != null) {
            cache.save(cacheFile);
        }
        return new Outcome(cache, cacheFile, false, missing.size());
    }

    private static void pauseForTests() {
        long millis = Long.getLong(PAUSE_PROPERTY, 0L);
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The cache file for a cache key, in the cache folder. */
    public static Path file(Path cacheDir, String key) {
        return cacheDir.resolve(ReferenceCache.fileName(key));
    }

    /** The value of one sequence. */
    public static double lookup(ReferenceCache cache, TokenIds prompt, TokenIds response) {
        return cache.get(ReferenceCache.Key.of(prompt.toArray(), response.toArray()));
    }

    /** Empty when absent. */
    static Optional<Double> find(ReferenceCache cache, TokenIds prompt, TokenIds response) {
        return cache.find(ReferenceCache.Key.of(prompt.toArray(), response.toArray()));
    }
}
