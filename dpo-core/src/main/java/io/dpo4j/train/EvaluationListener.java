package io.dpo4j.train;

import java.io.IOException;

/**
 * Runs a held-out evaluation (the objective's metrics on the validation examples and sampled
 * responses) before the first step, every {@link EvaluationSettings#every()} steps and after the last,
 * and tells every listener ({@link TrainingListener#onEvaluation}). Added by the trainer when there is
 * validation data or a prompt to sample.
 */
public final class EvaluationListener implements TrainingListener {

    private final Evaluator evaluator;
    private final int every;

    EvaluationListener(Evaluator evaluator, int every) {
        this.evaluator = evaluator;
        this.every = every;
    }

    @Override
    public void onStep(TrainingContext context, StepEvent e) throws IOException {
        if (e.step() % every == 0 || e.step() == context.totalSteps()) {
            evaluate(context);
        }
    }

    /** Evaluates now (the loop calls it before the first step, after every listener has started). */
    void evaluate(TrainingContext context) throws IOException {
        context.publish(evaluator.evaluate(context.step(), context.policy(), context.manager()));
    }
}
