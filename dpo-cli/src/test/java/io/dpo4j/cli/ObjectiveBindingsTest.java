package io.dpo4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.core.registry.ObjectiveRegistry;
import io.dpo4j.core.registry.ObjectiveSelector;
import io.dpo4j.ipo.IpoObjective;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the composition root: Guice bindings of the objective registry")
class ObjectiveBindingsTest {

    @Test
    @DisplayName("the Guice bindings expose the discovered objectives by id, and the selector configures them")
    void guice() {
        ObjectiveRegistry r = ObjectiveRegistry.of(List.of(new DpoObjective(), new IpoObjective()));
        Injector injector = Guice.createInjector(new ObjectiveBindings(r));
        Map<String, PreferenceObjective> byId = injector.getInstance(
                Key.get(new TypeLiteral<Map<String, PreferenceObjective>>() { }));
        assertThat(byId).containsOnlyKeys("dpo", "ipo");
        ObjectiveSelector selector = injector.getInstance(ObjectiveSelector.class);
        assertThat(selector.configure("dpo", Map.of("beta", 0.3)).parameters().real("beta")).isEqualTo(0.3);
        assertThatThrownBy(() -> selector.select("kto")).hasMessageContaining("known objectives: dpo, ipo");
    }
}
