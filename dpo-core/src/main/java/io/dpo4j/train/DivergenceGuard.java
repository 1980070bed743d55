package io.dpo4j.train;

import io.dpo4j.core.train.Gradients;
import java.util.Locale;
import java.util.Optional;

/**
 * Stops the run after an optimizer update that made the weights non-finite, or grew their global norm
 * more than {@link #MAX_WEIGHT_GROWTH} times: a finite gradient times a huge learning rate can
 * overflow the weights, or blow them up while every value stays finite (the outputs saturate and the
 * gradients become 0). Such weights never reach a checkpoint, where they would pass for the last
 * good one.
 */
public final class DivergenceGuard implements TrainingListener {

    /** A step never grows the global norm of the weights more than this many times. */
    public static final double MAX_WEIGHT_GROWTH = 10;

    private double weightNorm;

    @Override
    public void onStart(TrainingContext context) {
        weightNorm = Gradients.weightNorm(context.policy().trainableParameters());
    }

    @Override
    public void onStep(TrainingContext context, StepEvent e) {
        double newNorm = Gradients.weightNorm(context.policy().trainableParameters());
        Optional<String> broken = Double.isFinite(newNorm) ? Optional.empty()
                : Gradients.firstNonFinite(context.policy().trainableParameters());
        if (broken.isPresent()) {
            throw new NonFiniteException(String.format(Locale.ROOT, "stopped at step %d: the weights are not finite "
                    + "after the optimizer update (%s first; learning rate %s, gradient norm %s; examples %s). %s; "
                    + "lower optimizer.lr", e.step(), broken.get(), e.lr(), e.gradNorm(),
                    NonFiniteGuard.abbreviate(e.ids()), context.resumeHint()));
        }
        if (!(newNorm <= MAX_WEIGHT_GROWTH * weightNorm)) {
            throw new NonFiniteException(String.format(Locale.ROOT, "stopped at step %d: one optimizer update grew "
                    + "the weights' norm %.3g-fold (%.4g → %.4g; learning rate %s, gradient norm %s; examples %s): "
                    + "the weights are diverging. %s; lower optimizer.lr (AdamW moves each weight by up to about lr "
                    + "per step, whatever the gradient)", e.step(), newNorm / weightNorm, weightNorm, newNorm, e.lr(),
                    e.gradNorm(), NonFiniteGuard.abbreviate(e.ids()), context.resumeHint()));
        }
        weightNorm = newNorm;
    }
}
