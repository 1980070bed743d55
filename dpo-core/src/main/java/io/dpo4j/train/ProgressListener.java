package io.dpo4j.train;

import io.dpo4j.core.train.ProgressBar;
import java.util.Locale;
import java.util.Map;

/**
 * The console: a progress bar over the steps (loss, accuracy, margin, held-out accuracy, tokens/s)
 * and one line per evaluation; while the bar is shown, other listeners' lines go through it.
 */
public final class ProgressListener implements TrainingListener {

    private ProgressBar bar;

    @Override
    public void onStart(TrainingContext context) {
        bar = new ProgressBar(context.log(), "train", context.totalSteps());
        bar.update(context.step(), "");
        context.setPrinter(bar::println);
    }

    @Override
    public void onStep(TrainingContext context, StepEvent e) {
        bar.update(e.step(), text(e, context.lastEvaluation(), context.tokensPerSecond()));
    }

    @Override
    public void onEvaluation(TrainingContext context, EvaluationEvent e) {
        Map<String, Double> m = e.metrics();
        context.print(String.format(Locale.ROOT, "eval step %d: held-out accuracy %s, margin %s, sampled length %s%s",
                e.step(), fmt(m.get("eval/rewards/accuracies")), fmt(m.get("eval/rewards/margins")),
                fmt(m.get("eval/sample_length")), m.containsKey("eval/sample_reward")
                        ? ", true reward " + fmt(m.get("eval/sample_reward")) : ""));
    }

    @Override
    public void onClose(TrainingContext context) {
        if (bar != null) {
            bar.close();
            bar = null;
            context.setPrinter(null);
        }
    }

    private static String text(StepEvent r, Map<String, Double> eval, double tokensPerSecond) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "loss %.4f", r.loss()));
        Double acc = r.metrics().get("rewards/accuracies");
        Double margin = r.metrics().get("rewards/margins");
        if (acc != null) {
            sb.append(String.format(Locale.ROOT, " acc %.2f", acc));
        }
        if (margin != null) {
            sb.append(String.format(Locale.ROOT, " margin %.3f", margin));
        }
        if (eval != null && eval.containsKey("eval/rewards/accuracies")) {
            sb.append(String.format(Locale.ROOT, " | held-out acc %.2f", eval.get("eval/rewards/accuracies")));
        }
        sb.append(String.format(Locale.ROOT, " | %.0f tok/s", tokensPerSecond));
        return sb.toString();
    }

    private static String fmt(Double v) {
        return v == null || v.isNaN() ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }
}
