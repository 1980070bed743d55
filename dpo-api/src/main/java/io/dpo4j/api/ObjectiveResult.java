package io.dpo4j.api;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.dpo4j.api.math.ObjectiveMath;
import java.util.Objects;

/**
 * What an objective computes for one batch: a scalar loss that autograd can differentiate with
 * respect to the policy statistics, named metrics (TRL's names where they exist), and warnings
 * about the batch (for example KTO's batch of one, which has no mismatched pair).
 *
 * @param loss scalar NDArray (shape {@code ()}), attached to the statistics' manager
 * @param metrics metric values by name, in a stable order (unmodifiable)
 * @param warnings human-readable warnings about this batch (unmodifiable)
 */
public record ObjectiveResult(NDArray loss, Map<String, Double> metrics, List<String> warnings) {

    public ObjectiveResult {
        Objects.requireNonNull(loss, "loss");
        if (loss.getShape().dimension() != 0) {
            throw new IllegalArgumentException("loss must be a scalar, got shape " + loss.getShape());
        }
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        warnings = List.copyOf(warnings);
    }

    /** The loss as a Java double. */
    public double lossValue() {
        return ObjectiveMath.scalar(loss);
    }
}
