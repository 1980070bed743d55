package io.dpo4j.bench.scenario;

import java.util.Map;

/**
 * An arm as a suite names it: an objective id (registered, or {@code preferred_ft}) and its
 * parameters.
 *
 * @param id the objective id
 * @param params its parameters
 */
public record ArmSpec(String id, Map<String, Object> params) {

    public ArmSpec {
        params = Map.copyOf(params);
    }

    @Override
    public String toString() {
        return id + (params.isEmpty() ? "" : " " + new java.util.TreeMap<>(params));
    }
}
