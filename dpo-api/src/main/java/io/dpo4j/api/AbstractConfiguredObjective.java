package io.dpo4j.api;

import java.util.Objects;

/** A convenient base for {@link ConfiguredObjective}: holds the id, parameters and requirements. */
public abstract class AbstractConfiguredObjective implements ConfiguredObjective {

    private final String id;
    private final Hyperparameters parameters;
    private final ObjectiveRequirements requirements;

    protected AbstractConfiguredObjective(String id, Hyperparameters parameters, ObjectiveRequirements requirements) {
        this.id = Objects.requireNonNull(id, "id");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.requirements = Objects.requireNonNull(requirements, "requirements");
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final Hyperparameters parameters() {
        return parameters;
    }

    @Override
    public final ObjectiveRequirements requirements() {
        return requirements;
    }

    @Override
    public String toString() {
        return id + parameters;
    }
}
