package io.dpo4j.train;

import ai.djl.ndarray.NDManager;
import io.dpo4j.core.model.LlamaModel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link PreferenceTraining#fit()} returns: the trained policy (open until {@link #close()}),
 * the steps and time, every evaluation's metrics, the last step's training metrics, the diagnostics'
 * warnings, what the reference stage did, and the folder the model was saved to, if any.
 */
public final class TrainingResult implements AutoCloseable {

    private final NDManager manager;
    private final LlamaModel model;
    private final long steps;
    private final double seconds;
    private final List<Map<String, Double>> evaluations;
    private final Map<String, Double> first;
    private final Map<String, Double> last;
    private final Map<String, Double> lastTrainMetrics;
    private final List<String> warnings;
    private final boolean referenceReused;
    private final int referenceScored;
    private final Path savedModel;

    TrainingResult(NDManager manager, LlamaModel model, long steps, double seconds,
            List<Map<String, Double>> evaluations, Map<String, Double> first, Map<String, Double> last,
            Map<String, Double> lastTrainMetrics, List<String> warnings,
            boolean referenceReused, int referenceScored, Path savedModel) {
        this.manager = manager;
        this.model = model;
        this.steps = steps;
        this.seconds = seconds;
        this.evaluations = List.copyOf(evaluations);
        this.first = first == null ? Map.of() : first;
        this.last = last == null ? Map.of() : last;
        this.lastTrainMetrics = lastTrainMetrics == null ? Map.of() : Map.copyOf(lastTrainMetrics);
        this.warnings = List.copyOf(warnings);
        this.referenceReused = referenceReused;
        this.referenceScored = referenceScored;
        this.savedModel = savedModel;
    }

    /** The trained policy; valid until this result is closed. */
    public LlamaModel model() {
        return model;
    }

    /** Where the trained model was saved (Hugging Face layout), when the builder asked for it. */
    public Optional<Path> savedModel() {
        return Optional.ofNullable(savedModel);
    }

    /** Optimizer steps of the run (including those before a resume). */
    public long steps() {
        return steps;
    }

    /** Training wall time (including before a resume). */
    public double seconds() {
        return seconds;
    }

    /** The metrics of every evaluation of this fit, in order ({@code eval/…} keys). */
    public List<Map<String, Double>> evaluations() {
        return evaluations;
    }

    /** The first evaluation's metrics (before training; after a resume, the restored one), or empty. */
    public Map<String, Double> firstEvaluation() {
        return first;
    }

    /** The last evaluation's metrics, or empty. */
    public Map<String, Double> lastEvaluation() {
        return last;
    }

    /** The last step's loss and metrics (empty when no step ran). */
    public Map<String, Double> lastTrainMetrics() {
        return lastTrainMetrics;
    }

    /** The diagnostics' warnings. */
    public List<String> warnings() {
        return warnings;
    }

    /** True when the reference statistics were reused (cache file or precomputed) and no model ran. */
    public boolean referenceReused() {
        return referenceReused;
    }

    /** Sequences the reference model scored in this fit. */
    public int referenceScored() {
        return referenceScored;
    }

    /** Frees the trained policy's memory. */
    @Override
    public void close() {
        model.close();
        manager.close();
    }
}
