package io.dpo4j.bench.lab;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.train.EvaluationEvent;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One finished training run of the benchmark: its objective, seed, folder, costs, and the
 * measurements of every evaluation (collected by a {@link RunRecorder} listener).
 *
 * @param name the run's name
 * @param seed its seed
 * @param objective {@code {id, params}}
 * @param folder the run's log file
 * @param seconds wall time
 * @param peakMib the process's peak resident memory during the run
 * @param tokensPerSecond training throughput (response tokens per second)
 * @param evals every evaluation, in step order
 */
public record Run(String name, long seed, ObjectNode objective, Path folder, double seconds, double peakMib,
        double tokensPerSecond, List<Eval> evals) {

    /** One evaluation; the KL is filled in afterwards by {@link LanguageLab#scoreKl}. */
    public static final class Eval {
        private final long step;
        private final double reward;
        private final double length;
        private final double accuracy;
        private final double margin;
        private final List<EvaluationEvent.Sample> samples;
        private double kl = Double.NaN;

        Eval(long step, double reward, double length, double accuracy, double margin,
                List<EvaluationEvent.Sample> samples) {
            this.samples = List.copyOf(samples);
            this.step = step;
            this.reward = reward;
            this.length = length;
            this.accuracy = accuracy;
            this.margin = margin;
        }

        public long step() {
            return step;
        }

        /** Mean true reward of responses sampled on held-out prompts. */
        public double reward() {
            return reward;
        }

        /** Mean length (tokens, EOS excluded) of the sampled responses. */
        public double length() {
            return length;
        }

        /** Held-out preference accuracy (NaN when the objective reports none). */
        public double accuracy() {
            return accuracy;
        }

        /** Held-out mean implicit-reward margin. */
        public double margin() {
            return margin;
        }

        /** The responses sampled at this evaluation. */
        public List<EvaluationEvent.Sample> samples() {
            return samples;
        }

        /** Sequence-level KL(π‖π_ref) estimated from the samples (NaN before scoring). */
        public double kl() {
            return kl;
        }

        void kl(double value) {
            this.kl = value;
        }
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

    /**
     * A metric at a KL budget, reading the run's evaluations as a path in step order: the value where
     * the KL first reaches {@code budget}, interpolated linearly between the two evaluations around it;
     * the last value when the run never reaches the budget.
     */
    public double atKl(double budget, java.util.function.ToDoubleFunction<Eval> metric) {
        for (int i = 1; i < evals.size(); i++) {
            Eval a = evals.get(i - 1);
            Eval b = evals.get(i);
            if (Double.isFinite(b.kl()) && b.kl() >= budget) {
                double ka = Double.isFinite(a.kl()) ? a.kl() : 0;
                double t = b.kl() == ka ? 1 : Math.max(0, Math.min(1, (budget - ka) / (b.kl() - ka)));
                return metric.applyAsDouble(a) + t * (metric.applyAsDouble(b) - metric.applyAsDouble(a));
            }
        }
        return metric.applyAsDouble(last());
    }

    /** A row for the results files. */
    public Map<String, Object> row(String scenario, String cell) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("cell", cell);
        r.put("objective", objectiveId());
        r.put("params", objective.path("params").toString());
        r.put("seed", seed);
        r.put("steps", last().step());
        r.put("reward_start", first().reward());
        r.put("reward_end", last().reward());
        r.put("kl_end", last().kl());
        r.put("length_start", first().length());
        r.put("length_end", last().length());
        r.put("accuracy_end", last().accuracy());
        r.put("seconds", seconds);
        r.put("tokens_per_second", tokensPerSecond);
        r.put("peak_rss_mib", peakMib);
        r.put("run_log", folder.toString());
        return r;
    }
}
