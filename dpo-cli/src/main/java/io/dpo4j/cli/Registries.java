package io.dpo4j.cli;

import io.dpo4j.core.registry.ObjectiveRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The objective registry a configuration file's {@code plugins:} adds to, for commands that read one. */
public final class Registries {

    private Registries() {
    }

    /** The registry of the root command, with a configuration's plugins added when it names any. */
    public static Function<List<Path>, ObjectiveRegistry> of(DpoCommand root) {
        return plugins -> {
            if (plugins.isEmpty()) {
                return root.registry();
            }
            List<Path> all = new ArrayList<>(root.pluginPaths());
            all.addAll(plugins);
            return ObjectiveRegistry.discover(DpoCommand.class.getClassLoader(), all);
        };
    }
}
