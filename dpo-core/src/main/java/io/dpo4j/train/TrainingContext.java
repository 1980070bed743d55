package io.dpo4j.train;

import io.dpo4j.core.data.SamplerPosition;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.train.AdamW;
import io.dpo4j.core.train.Diagnostics;
import io.dpo4j.core.train.TrainerState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What listeners see of a running fit: the policy and optimizer, the step counters, the evaluations
 * so far, the console, and the warnings collected for the result.
 */
public final class TrainingContext {

    private final ai.djl.ndarray.NDManager manager;
    private final LlamaModel policy;
    private final AdamW optimizer;
    private final long totalSteps;
    private final int batchesPerEpoch;
    private final Path initialPolicy;
    private final double rewardScale;
    private final PrintWriter log;
    private final List<TrainingListener> listeners;
    private final boolean resumed;
    private final long startNanos;
    private long step;
    private SamplerPosition position;
    private long tokens;
    private Map<String, Double> firstEvaluation;
    private Map<String, Double> lastEvaluation;
    private final List<Diagnostics.Evaluation> history = new ArrayList<>();
    private final List<Map<String, Double>> evaluations = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private Consumer<String> printer;
    private Supplier<String> resumeHint = () -> "No checkpoint is written by this run (nothing to resume from)";

    TrainingContext(ai.djl.ndarray.NDManager manager, LlamaModel policy, AdamW optimizer, long totalSteps, int batchesPerEpoch, Path initialPolicy,
            double rewardScale, PrintWriter log, List<TrainingListener> listeners, TrainerState restored) {
        this.manager = manager;
        this.policy = policy;
        this.optimizer = optimizer;
        this.totalSteps = totalSteps;
        this.batchesPerEpoch = batchesPerEpoch;
        this.initialPolicy = initialPolicy;
        this.rewardScale = rewardScale;
        this.log = log;
        this.listeners = listeners;
        this.printer = log::println;
        this.resumed = restored != null;
        this.position = SamplerPosition.START;
        double seconds = 0;
        if (restored != null) {
            step = restored.step();
            position = new SamplerPosition(restored.epoch(), restored.index());
            history.addAll(restored.evaluations());
            firstEvaluation = restored.firstEvaluation();
            lastEvaluation = restored.lastEvaluation();
            seconds = restored.seconds();
            tokens = restored.tokens();
        }
        this.startNanos = System.nanoTime() - (long) (seconds * 1e9);
    }

    /** The policy being trained. */
    public LlamaModel policy() {
        return policy;
    }

    /** The optimizer (its moments are checkpointed). */
    public AdamW optimizer() {
        return optimizer;
    }

    /** Optimizer steps done. */
    public long step() {
        return step;
    }

    /** Optimizer steps of the whole run. */
    public long totalSteps() {
        return totalSteps;
    }

    /** The sampler's position: where the next step's examples come from. */
    public SamplerPosition position() {
        return position;
    }

    /** The fractional epoch reached. */
    public double epoch() {
        return position.epoch() + (double) position.index() / Math.max(1, batchesPerEpoch);
    }

    /** True when the run continues from a checkpoint. */
    public boolean resumed() {
        return resumed;
    }

    /** The folder the policy was loaded from at the start of the run (its tokenizer files go with the model). */
    public Path initialPolicy() {
        return initialPolicy;
    }

    /** The objective's implicit-reward scale (see {@link io.dpo4j.api.ConfiguredObjective#rewardScale()}). */
    public double rewardScale() {
        return rewardScale;
    }

    /** Training wall time so far (including before a resume). */
    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** Response tokens trained on so far. */
    public long tokens() {
        return tokens;
    }

    /** Tokens per second of wall time so far. */
    public double tokensPerSecond() {
        return tokens / Math.max(1e-9, elapsedSeconds());
    }

    /** The first evaluation's metrics (null before it). */
    public Map<String, Double> firstEvaluation() {
        return firstEvaluation;
    }

    /** The latest evaluation's metrics (null before the first). */
    public Map<String, Double> lastEvaluation() {
        return lastEvaluation;
    }

    /** The evaluations so far as the diagnostics read them (restored ones included). */
    public List<Diagnostics.Evaluation> history() {
        return List.copyOf(history);
    }

    /** The run's state as a checkpoint stores it. */
    public TrainerState state() {
        return new TrainerState(step, position.epoch(), position.index(), optimizer.step(), List.copyOf(history),
                firstEvaluation, lastEvaluation, elapsedSeconds(), tokens);
    }

    /** Prints a line on the console (through the progress bar when one is shown). */
    public void print(String line) {
        printer.accept(line);
    }

    /** Records a warning for the result and prints it. */
    public void warn(String text) {
        warnings.add(text);
        print("warning: " + text);
    }

    /** The warnings so far. */
    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Where printed lines go (the progress bar installs itself while it is shown); null restores the log. */
    public void setPrinter(Consumer<String> lines) {
        this.printer = lines == null ? log::println : lines;
    }

    /** The sentence that says where a stopped run can resume from (the checkpoint listener provides it). */
    public String resumeHint() {
        return resumeHint.get();
    }

    /** Sets the resume hint's source. */
    public void setResumeHint(Supplier<String> hint) {
        this.resumeHint = hint;
    }

    /** The console's writer. */
    public PrintWriter log() {
        return log;
    }

    // The loop's and the evaluation's updates.

    void advance(SamplerPosition next, long stepTokens) {
        step++;
        position = next;
        tokens += stepTokens;
    }

    void publish(EvaluationEvent e) throws IOException {
        Map<String, Double> m = e.metrics();
        if (firstEvaluation == null) {
            firstEvaluation = m;
        }
        lastEvaluation = m;
        evaluations.add(m);
        history.add(new Diagnostics.Evaluation(e.step(), m.getOrDefault("eval/rewards/margins", Double.NaN),
                m.getOrDefault("eval/logratios/chosen", Double.NaN), m.getOrDefault("eval/logratios/rejected",
                        Double.NaN), rewardScale, m.getOrDefault("eval/sample_length", Double.NaN)));
        for (TrainingListener l : listeners) {
            l.onEvaluation(this, e);
        }
    }

    /** The run's root manager, on its device (evaluations open sub-managers of it). */
    ai.djl.ndarray.NDManager manager() {
        return manager;
    }

    List<Map<String, Double>> evaluations() {
        return evaluations;
    }
}
