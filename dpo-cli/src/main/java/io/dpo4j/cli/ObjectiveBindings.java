package io.dpo4j.cli;

import io.dpo4j.core.registry.ObjectiveRegistry;
import io.dpo4j.core.registry.RegisteredObjective;
import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;
import io.dpo4j.api.PreferenceObjective;

/**
 * Guice bindings of a discovered {@link ObjectiveRegistry}: a {@code Map<String, PreferenceObjective>}
 * by id (MapBinder) and the registry itself. Discovery happens before, in the registry; this only
 * binds, with no side effects and no conditional logic.
 */
public final class ObjectiveBindings extends AbstractModule {

    private final ObjectiveRegistry registry;

    public ObjectiveBindings(ObjectiveRegistry registry) {
        this.registry = registry;
    }

    @Override
    protected void configure() {
        bind(ObjectiveRegistry.class).toInstance(registry);
        MapBinder<String, PreferenceObjective> byId = MapBinder.newMapBinder(binder(), String.class,
                PreferenceObjective.class);
        for (RegisteredObjective r : registry.objectives()) {
            byId.addBinding(r.id()).toInstance(r.objective());
        }
    }
}
