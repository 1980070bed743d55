package io.dpo4j.train;

import io.dpo4j.core.train.Diagnostics;
import java.util.List;

/**
 * The §10 diagnostics: after each evaluation, warns (once per kind) when the held-out margin stays
 * near zero, when chosen and rejected log-ratios both fall while the margin grows, or when sampled
 * responses keep getting longer. A resumed run replays the evaluations before its checkpoint.
 */
public final class DiagnosticsListener implements TrainingListener {

    private final Diagnostics diagnostics = new Diagnostics();

    @Override
    public void onStart(TrainingContext context) {
        if (context.resumed()) {
            context.history().forEach(diagnostics::observe);
        }
    }

    @Override
    public void onEvaluation(TrainingContext context, EvaluationEvent e) {
        List<Diagnostics.Evaluation> history = context.history();
        for (Diagnostics.Warning w : diagnostics.observe(history.get(history.size() - 1))) {
            context.warn("diagnostics (step " + e.step() + "): " + w.message());
        }
    }
}
