package io.dpo4j.train;

import io.dpo4j.core.train.Gradients;
import java.util.List;
import java.util.Locale;

/**
 * Stops the run, before the optimizer update, when a step's loss or gradient norm is not finite,
 * naming the step and its examples; no checkpoint of the broken step is written.
 */
public final class NonFiniteGuard implements TrainingListener {

    @Override
    public void beforeUpdate(TrainingContext context, StepEvent e) {
        if (Double.isFinite(e.loss()) && Double.isFinite(e.gradNorm())) {
            return;
        }
        Gradients.zero(context.policy().trainableParameters());
        boolean lossOk = Double.isFinite(e.loss());
        throw new NonFiniteException(String.format(Locale.ROOT, "stopped at step %d: the %s is %s (examples %s). %s; "
                + "lower optimizer.lr, check max_grad_norm, or look at those examples", e.step(),
                lossOk ? "gradient norm" : "loss", lossOk ? e.gradNorm() : e.loss(), abbreviate(e.ids()),
                context.resumeHint()));
    }

    static String abbreviate(List<String> ids) {
        return ids.size() <= 6 ? ids.toString() : ids.subList(0, 6) + " and " + (ids.size() - 6) + " more";
    }
}
