package io.dpo4j.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A convenient base for {@link PreferenceObjective}: holds the id, description and hyperparameter
 * declarations, validates configuration with {@link Hyperparameters#resolve} (every error at once)
 * and leaves only {@link #create} to the subclass.
 */
public abstract class AbstractObjective implements PreferenceObjective {

    /** The pattern every objective id must match. */
    public static final Pattern ID = Pattern.compile("[a-z][a-z0-9_-]*");

    private final String id;
    private final String description;
    private final List<Hyperparameter> hyperparameters;

    protected AbstractObjective(String id, String description, Hyperparameter... hyperparameters) {
        this.id = Objects.requireNonNull(id, "id");
        this.description = Objects.requireNonNull(description, "description");
        this.hyperparameters = List.of(hyperparameters);
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("objective id '" + id + "' must match " + ID.pattern());
        }
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final List<Hyperparameter> hyperparameters() {
        return hyperparameters;
    }

    @Override
    public ObjectiveRequirements requirements() {
        return configureDefaults().requirements();
    }

    @Override
    public final ConfiguredObjective configure(Map<String, ?> parameters) {
        return create(Hyperparameters.resolve(id, hyperparameters, parameters));
    }

    /** Builds the configured objective from validated values (every declared name is present). */
    protected abstract ConfiguredObjective create(Hyperparameters parameters);

    @Override
    public String toString() {
        return id + " (" + getClass().getName() + ")";
    }
}
