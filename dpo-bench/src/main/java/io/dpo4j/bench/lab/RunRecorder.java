package io.dpo4j.bench.lab;

import io.dpo4j.core.synthetic.SyntheticDataset;
import io.dpo4j.train.EvaluationEvent;
import io.dpo4j.train.StepEvent;
import io.dpo4j.train.TrainingContext;
import io.dpo4j.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Collects what the benchmark reads from a training run, in memory: at each evaluation the held-out
 * pair metrics and the sampled responses, split into the validation prompts (the first
 * {@code validation} of the sampled prompts) and the test prompts (the rest), each scored by the
 * true reward; and the training throughput at the last step.
 */
final class RunRecorder implements TrainingListener {

    /** One evaluation before its KL is known. */
    record Pending(long step, double reward, double length, double validationReward, double accuracy, double margin,
            double logratioChosen, double logratioRejected, List<EvaluationEvent.Sample> testSamples) {
    }

    private final int validation;
    private final long eos;
    private final List<Pending> evals = new ArrayList<>();
    private double tokensPerSecond = Double.NaN;

    RunRecorder(int validation, long eos) {
        this.validation = validation;
        this.eos = eos;
    }

    @Override
    public void onStep(TrainingContext context, StepEvent step) {
        tokensPerSecond = context.tokensPerSecond();
    }

    @Override
    public void onEvaluation(TrainingContext context, EvaluationEvent e) {
        Map<String, Double> m = e.metrics();
        List<EvaluationEvent.Sample> samples = e.samples();
        double val = 0;
        double test = 0;
        double length = 0;
        int nv = 0;
        int nt = 0;
        for (int i = 0; i < samples.size(); i++) {
            EvaluationEvent.Sample s = samples.get(i);
            double r = SyntheticDataset.reward(s.prompt(), s.completion());
            if (i < validation) {
                val += r;
                nv++;
            } else {
                test += r;
                length += length(s.completionIds());
                nt++;
            }
        }
        evals.add(new Pending(e.step(), nt == 0 ? Double.NaN : test / nt, nt == 0 ? Double.NaN : length / nt,
                nv == 0 ? Double.NaN : val / nv, num(m, "eval/rewards/accuracies"), num(m, "eval/rewards/margins"),
                num(m, "eval/logratios/chosen"), num(m, "eval/logratios/rejected"),
                samples.subList(Math.min(validation, samples.size()), samples.size())));
    }

    private int length(long[] ids) {
        int n = ids.length;
        return n > 0 && ids[n - 1] == eos ? n - 1 : n;
    }

    List<Pending> evaluations() {
        return evals;
    }

    double tokensPerSecond() {
        return tokensPerSecond;
    }

    private static double num(Map<String, Double> m, String key) {
        Double v = m.get(key);
        return v == null ? Double.NaN : v;
    }
}
