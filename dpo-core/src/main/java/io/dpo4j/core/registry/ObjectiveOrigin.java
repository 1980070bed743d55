package io.dpo4j.core.registry;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/**
 * Where an objective came from: the application's class path (built-in) or a plugin jar, with the
 * jar or class folder that holds its class.
 *
 * @param plugin true for a plugin jar loaded from a plugin folder
 * @param location the jar or class folder, when known
 */
public record ObjectiveOrigin(boolean plugin, Optional<Path> location) {

    /** The origin of a class found on the application class path. */
    public static ObjectiveOrigin builtIn(Class<?> type) {
        return new ObjectiveOrigin(false, locationOf(type));
    }

    /** The origin of a class loaded from a plugin jar. */
    public static ObjectiveOrigin plugin(Path jar) {
        return new ObjectiveOrigin(true, Optional.of(jar));
    }

    /** {@code built-in (path)} or {@code plugin path}. */
    public String describe() {
        String where = location.map(Path::toString).orElse("unknown location");
        return plugin ? "plugin " + where : "built-in (" + where + ")";
    }

    static Optional<Path> locationOf(Class<?> type) {
        try {
            CodeSource source = type.getProtectionDomain().getCodeSource();
            return source == null || source.getLocation() == null ? Optional.empty()
                    : Optional.of(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | SecurityException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
