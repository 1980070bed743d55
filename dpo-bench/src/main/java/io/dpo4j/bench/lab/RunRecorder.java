package io.dpo4j.bench.lab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.train.EvaluationEvent;
import io.dpo4j.train.StepEvent;
import io.dpo4j.train.TrainingContext;
import io.dpo4j.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Collects what the benchmark reads from a training run, in memory: each evaluation's sampled
 * reward, length, held-out accuracy and margin with its samples (for the KL estimate), and the
 * training throughput at the last step.
 */
final class RunRecorder implements TrainingListener {

    private final List<Run.Eval> evals = new ArrayList<>();
    private double tokensPerSecond = Double.NaN;

    @Override
    public void onStep(TrainingContext context, StepEvent step) {
        tokensPerSecond = context.tokensPerSecond();
    }

    @Override
    public void onEvaluation(TrainingContext context, EvaluationEvent e) {
        Map<String, Double> m = e.metrics();
        evals.add(new Run.Eval(e.step(), num(m, "eval/sample_reward"), num(m, "eval/sample_length"),
                num(m, "eval/rewards/accuracies"), num(m, "eval/rewards/margins"), e.samples()));
    }

    Run run(String name, long seed, ObjectNode objective, Path log, double seconds, double peakMib) {
        return new Run(name, seed, objective, log, seconds, peakMib, tokensPerSecond, List.copyOf(evals));
    }

    private static double num(Map<String, Double> m, String key) {
        Double v = m.get(key);
        return v == null ? Double.NaN : v;
    }
}
