package io.dpo4j.api.check;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss of a case, the gradient of the loss with respect to each policy statistic, the
 * objective's metrics and its warnings.
 *
 * @param loss the batch loss
 * @param gradients {@code policy_chosen} and {@code policy_rejected} (paired input) or {@code policy}
 *     (unpaired input), one value per row
 * @param metrics the objective's metrics
 * @param warnings the objective's warnings about the batch
 */
public record LossCaseResult(double loss, Map<String, double[]> gradients, Map<String, Double> metrics,
        List<String> warnings) {

    public LossCaseResult {
        gradients = Collections.unmodifiableMap(new LinkedHashMap<>(gradients));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        warnings = List.copyOf(warnings);
    }
}
