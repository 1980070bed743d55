package io.dpo4j.train;

import io.dpo4j.core.train.MetricsLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes {@code metrics.jsonl}: one row per step ({@code split: train}: epoch, loss, the objective's
 * metrics, grad_norm, lr, tokens_per_second) and one per evaluation ({@code split: eval}). A resumed
 * run drops the rows after its checkpoint's step and appends.
 */
public final class MetricsLogListener implements TrainingListener {

    private final Path file;
    private MetricsLog log;

    /** Writes to {@code file}. */
    public MetricsLogListener(Path file) {
        this.file = file;
    }

    @Override
    public void onStart(TrainingContext context) throws IOException {
        log = context.resumed() ? MetricsLog.resume(file, context.step()) : MetricsLog.create(file);
    }

    @Override
    public void onStep(TrainingContext context, StepEvent e) throws IOException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("epoch", e.epoch());
        row.put("loss", e.loss());
        e.metrics().forEach(row::put);
        row.put("grad_norm", e.gradNorm());
        row.put("lr", e.lr());
        row.put("tokens_per_second", context.tokensPerSecond());
        log.write("train", e.step(), row);
    }

    @Override
    public void onEvaluation(TrainingContext context, EvaluationEvent e) throws IOException {
        log.write("eval", e.step(), e.metrics());
    }

    @Override
    public void onClose(TrainingContext context) throws IOException {
        if (log != null) {
            log.close();
            log = null;
        }
    }
}
