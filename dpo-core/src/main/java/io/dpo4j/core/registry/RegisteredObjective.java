package io.dpo4j.core.registry;

import io.dpo4j.api.PreferenceObjective;

/**
 * A discovered objective and where it came from.
 *
 * @param objective the provider instance
 * @param origin built-in or plugin, with its jar
 */
public record RegisteredObjective(PreferenceObjective objective, ObjectiveOrigin origin) {

    /** The objective's id. */
    public String id() {
        return objective.id();
    }
}
