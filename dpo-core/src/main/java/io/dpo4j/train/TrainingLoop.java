package io.dpo4j.train;

import ai.djl.ndarray.NDManager;
import io.dpo4j.core.data.BatchSampler;
import io.dpo4j.core.data.SamplerPosition;
import io.dpo4j.core.train.Gradients;
import io.dpo4j.core.train.LearningRateSchedule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loop: each optimizer step draws {@code batch_size × gradient_accumulation} examples, runs
 * {@link ObjectiveStep#train} on each micro-batch with the loss scaled by its share of the step (so k
 * micro-batches give the gradient of one batch k times larger, for objectives whose loss is a batch
 * mean), clips the global gradient norm, and updates with AdamW. Everything else is a listener.
 */
final class TrainingLoop {

    private final TrainingContext context;
    private final List<TrainingListener> listeners;
    private final BatchSampler sampler;
    private final MicroBatches micro;
    private final ObjectiveStep step;
    private final LearningRateSchedule schedule;
    private final double maxGradNorm;

    TrainingLoop(TrainingContext context, List<TrainingListener> listeners, BatchSampler sampler, MicroBatches micro,
            ObjectiveStep step, LearningRateSchedule schedule, double maxGradNorm) {
        this.context = context;
        this.listeners = listeners;
        this.sampler = sampler;
        this.micro = micro;
        this.step = step;
        this.schedule = schedule;
        this.maxGradNorm = maxGradNorm;
    }

    /** Runs every step; returns the last step's event (null when none ran). */
    StepEvent run() throws IOException {
        StepEvent last = null;
        var parameters = context.policy().trainableParameters();
        for (TrainingListener l : listeners) {
            l.onStart(context);
        }
        if (context.step() == 0) {
            for (TrainingListener l : listeners) {
                if (l instanceof EvaluationListener evaluation) {
                    evaluation.evaluate(context);
                }
            }
        }
        while (context.step() < context.totalSteps()) {
            int[] indices = sampler.batch(context.position());
            SamplerPosition next = sampler.next(context.position());
            Accumulated r = accumulate(micro.of(indices), indices.length);
            double gradNorm;
            try (NDManager scratch = context.manager().newSubManager()) {
                gradNorm = Gradients.clipGlobalNorm(parameters, maxGradNorm, scratch);
            }
            double lr = schedule.at(context.step());
            double epoch = next.epoch() + (double) next.index() / Math.max(1, sampler.batchesPerEpoch());
            StepEvent e = new StepEvent(context.step() + 1, epoch, r.loss, r.metrics, gradNorm, lr, r.tokens, r.ids);
            for (TrainingListener l : listeners) {
                l.beforeUpdate(context, e);
            }
            context.optimizer().update(parameters, lr);
            Gradients.zero(parameters);
            context.advance(next, r.tokens);
            for (TrainingListener l : listeners) {
                l.onStep(context, e);
            }
            last = e;
        }
        for (TrainingListener l : listeners) {
            l.onEnd(context);
        }
        return last;
    }

    /** Every micro-batch's forward and backward; the loss and metrics weighted by each one's share. */
    private Accumulated accumulate(List<StepBatch> batches, int total) {
        Accumulated acc = new Accumulated();
        for (StepBatch b : batches) {
            double share = (double) b.examples() / total;
            ObjectiveStep.Measured m = step.train(context.policy(), b, share, context.manager());
            acc.loss += share * m.loss();
            m.metrics().forEach((k, v) -> acc.metrics.merge(k, share * v, Double::sum));
            acc.tokens += m.tokens();
            acc.ids.addAll(b.ids());
        }
        return acc;
    }

    private static final class Accumulated {
        double loss;
        final Map<String, Double> metrics = new LinkedHashMap<>();
        long tokens;
        final List<String> ids = new ArrayList<>();
    }
}
