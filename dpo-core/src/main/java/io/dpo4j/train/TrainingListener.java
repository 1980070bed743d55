package io.dpo4j.train;

import java.io.IOException;

/**
 * Everything around the loop is a listener: the metrics log, the progress bar, checkpoints,
 * evaluations, the §10 diagnostics and the numeric guards. A listener is told, in the order listeners
 * were added (the built-in ones first), when the run starts, after each step's gradients are computed
 * and clipped but before the optimizer update, after the update, after each evaluation, and at the
 * end. Throwing stops the run (the guards do); the exception reaches {@code fit()}'s caller.
 */
public interface TrainingListener {

    /** Before the first step (after a resume: with the restored state). */
    default void onStart(TrainingContext context) throws IOException {
    }

    /** The step's loss and gradient are known; the weights are not yet updated. */
    default void beforeUpdate(TrainingContext context, StepEvent step) throws IOException {
    }

    /** The optimizer has updated the weights; {@link TrainingContext#step()} counts this step. */
    default void onStep(TrainingContext context, StepEvent step) throws IOException {
    }

    /** A held-out evaluation finished (see {@link EvaluationListener}). */
    default void onEvaluation(TrainingContext context, EvaluationEvent evaluation) throws IOException {
    }

    /** After the last step, before the model is saved and the result returned. */
    default void onEnd(TrainingContext context) throws IOException {
    }

    /** Always last, after {@link #onEnd} or when the run stopped with an exception: release files. */
    default void onClose(TrainingContext context) throws IOException {
    }
}
