package io.dpo4j.core.registry;

import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.PreferenceObjective;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Selects and configures objectives by id from the injected map: what configuration files and the
 * command line go through. An unknown id lists the known ones.
 */
public final class ObjectiveSelector {

    private final Map<String, PreferenceObjective> byId;
    private final List<LoadProblem> problems;

    @Inject
    public ObjectiveSelector(Map<String, PreferenceObjective> byId, ObjectiveRegistry registry) {
        this.byId = Map.copyOf(byId);
        this.problems = registry.problems();
    }

    /**
     * The objective with this id.
     *
     * @throws UnknownObjectiveException listing the known ids
     */
    public PreferenceObjective select(String id) {
        PreferenceObjective o = byId.get(id);
        if (o == null) {
            throw ObjectiveRegistry.unknown(id, new TreeSet<>(byId.keySet()), problems);
        }
        return o;
    }

    /**
     * The objective with this id, configured.
     *
     * @throws UnknownObjectiveException listing the known ids
     * @throws io.dpo4j.api.InvalidHyperparametersException naming every invalid parameter
     */
    public ConfiguredObjective configure(String id, Map<String, ?> parameters) {
        return select(id).configure(parameters);
    }
}
