package io.dpo4j.bench.lab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.bench.stats.Isotonic;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One finished training run of the benchmark: what it was (objective, learning rate, data, seed),
 * its costs, and the measurements of every evaluation — true reward and length of responses sampled
 * on the <b>test</b> prompts, true reward on the separate <b>validation</b> prompts at the end (the
 * only number learning rates are chosen on), the held-out pair metrics, and KL(π‖π_ref) from the test samples.
 *
 * @param name the run's name (its log file)
 * @param seed its seed
 * @param objective {@code {id, params}}
 * @param lr the AdamW learning rate
 * @param data the name of the data it trained on
 * @param log the run's log file
 * @param model the saved final model (null unless asked for)
 * @param seconds wall time
 * @param cpuSeconds CPU time of the thread that ran it (training and KL scoring)
 * @param peakMib the process's peak resident memory during the run
 * @param tokensPerSecond training throughput (response tokens per second)
 * @param evals every evaluation, in step order
 * @param warnings the trainer's diagnostics
 */
public record Run(String name, long seed, ObjectNode objective, double lr, String data, Path log, Path model,
        double seconds, double cpuSeconds, double peakMib, double tokensPerSecond, List<Eval> evals,
        List<String> warnings) {

    /**
     * One evaluation.
     *
     * @param step the step it follows (0: the initial policy)
     * @param reward mean true reward of the responses sampled on the test prompts
     * @param length their mean length (tokens, EOS excluded)
     * @param validationReward mean true reward of responses sampled on the validation prompts (sampled
     *     once, from the final policy: NaN at every evaluation but the last)
     * @param accuracy held-out preference accuracy (NaN when the objective reports none)
     * @param margin held-out mean implicit-reward margin
     * @param logratioChosen held-out mean log π(yw)/π_ref(yw) (NaN without a reference)
     * @param logratioRejected held-out mean log π(yl)/π_ref(yl)
     * @param kl KL(π‖π_ref) estimated from the test samples, E[log π(y) − log π_ref(y)]
     */
    public record Eval(long step, double reward, double length, double validationReward, double accuracy,
            double margin, double logratioChosen, double logratioRejected, double kl) {

        /** The held-out log-ratio gap, log-ratio(chosen) − log-ratio(rejected). */
        public double gap() {
            return logratioChosen - logratioRejected;
        }
    }

    public Run {
        evals = List.copyOf(evals);
        warnings = List.copyOf(warnings);
    }

    /** The objective id. */
    public String objectiveId() {
        return objective.get("id").asText();
    }

    /** The last evaluation. */
    public Eval last() {
        return evals.get(evals.size() - 1);
    }

    /** The first evaluation (step 0: the initial policy). */
    public Eval first() {
        return evals.get(0);
    }

    /** The evaluation closest to the middle step (for "still moving" checks over the second half). */
    public Eval middle() {
        long half = last().step() / 2;
        Eval best = first();
        for (Eval e : evals) {
            if (Math.abs(e.step() - half) < Math.abs(best.step() - half)) {
                best = e;
            }
        }
        return best;
    }

    /** The KL path made monotone: the isotonic (non-decreasing) fit of the KL estimates over steps. */
    public double[] klFit() {
        return Isotonic.nonDecreasing(evals.stream().mapToDouble(Eval::kl).toArray());
    }

    /** The fitted KL at the end of training. */
    public double finalKl() {
        double[] f = klFit();
        return f.length == 0 ? Double.NaN : f[f.length - 1];
    }

    /**
     * A metric at a KL budget: where the run's fitted (monotone) KL path first reaches {@code budget},
     * the metric interpolated linearly between the two evaluations around it; NaN when it never does.
     */
    public double atKl(double budget, ToDoubleFunction<Eval> metric) {
        return Isotonic.atLevel(klFit(), evals.stream().mapToDouble(metric).toArray(), budget);
    }

    /** A row for the results files. */
    public Map<String, Object> row(String scenario, String arm) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("arm", arm);
        r.put("objective", objectiveId());
        r.put("params", objective.path("params").toString());
        r.put("lr", lr);
        r.put("data", data);
        r.put("seed", seed);
        r.put("steps", last().step());
        r.put("reward_start", first().reward());
        r.put("reward_end", last().reward());
        r.put("validation_reward_end", last().validationReward());
        r.put("kl_end", last().kl());
        r.put("kl_end_fitted", finalKl());
        r.put("length_start", first().length());
        r.put("length_end", last().length());
        r.put("accuracy_end", last().accuracy());
        r.put("seconds", seconds);
        r.put("cpu_seconds", cpuSeconds);
        r.put("tokens_per_second", tokensPerSecond);
        r.put("peak_rss_mib", peakMib);
        r.put("run_log", log.toString());
        return r;
    }
}
