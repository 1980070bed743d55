package io.dpo4j.train;

import java.util.List;
import java.util.Map;

/**
 * One optimizer step's measurements.
 *
 * @param step the 1-based number of this step
 * @param epoch fractional epoch after this step
 * @param loss the step's loss (weighted mean over its micro-batches)
 * @param metrics the objective's metrics (weighted means; prefixed by id for a sum of objectives)
 * @param gradNorm the global gradient norm before clipping
 * @param lr the learning rate of this step
 * @param tokens response tokens in this step
 * @param ids the ids of the step's examples (for messages)
 */
public record StepEvent(long step, double epoch, double loss, Map<String, Double> metrics, double gradNorm, double lr,
        long tokens, List<String> ids) {
}
