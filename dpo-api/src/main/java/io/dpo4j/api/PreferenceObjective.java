package io.dpo4j.api;

import java.util.List;
import java.util.Map;

/**
 * A preference-optimisation objective (DPO, IPO, KTO, ORPO, SimPO, or a third party's), found at
 * run time with {@link java.util.ServiceLoader}: list the implementing class in
 * {@code META-INF/services/io.dpo4j.api.PreferenceObjective} and give it a public no-argument
 * constructor.
 *
 * <p>An implementation is a cheap, stateless description: a stable lower-case id, its requirements
 * and its hyperparameters. {@link #configure} validates parameter values and returns an immutable
 * {@link ConfiguredObjective} that does the arithmetic. An objective only ever sees per-sequence
 * statistics (summed response log-probs, token counts), never logits or a model.
 *
 * <p>The contract kit in {@code dpo-testkit} checks every rule stated here; extend
 * {@code ObjectiveContractKit} in a test of a few lines.
 */
public interface PreferenceObjective {

    /** Version of this SPI. Bumped only on an incompatible change. */
    int SPI_VERSION = 1;

    /** Stable lower-case id used in configuration files: {@code [a-z][a-z0-9_-]*}. */
    String id();

    /** One line: what the objective is and the paper it comes from. */
    String description();

    /** Requirements under the default hyperparameters (a configured objective may need less). */
    ObjectiveRequirements requirements();

    /** Every hyperparameter with its default, valid range and description. */
    List<Hyperparameter> hyperparameters();

    /**
     * Validates the given values (missing ones take their defaults) and returns the configured
     * objective.
     *
     * @param parameters values by snake_case name; numbers, booleans, or their string forms
     * @throws InvalidHyperparametersException naming every invalid field, its value and its rule
     */
    ConfiguredObjective configure(Map<String, ?> parameters);

    /** The objective with every hyperparameter at its default. */
    default ConfiguredObjective configureDefaults() {
        return configure(Map.of());
    }
}
