package io.dpo4j.cli.step;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory-allocator (and OpenMP waiting) environment a benchmark row runs under: {@code launcher} (the environment as
 * inherited — under {@code ./dpo}, the launcher's settings), {@code plain} (glibc's and libtorch's defaults:
 * every setting below removed), or {@code KEY=VALUE[;KEY=VALUE…]} (plain plus these settings).
 *
 * @param name the label in the table
 * @param inherit keep the inherited settings
 * @param settings set on top (after removing every managed key unless {@code inherit})
 */
record AllocatorVariant(String name, boolean inherit, Map<String, String> settings) {

    /** The environment variables a variant controls. */
    static final List<String> MANAGED = List.of("MALLOC_ARENA_MAX", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_",
            "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_", "GLIBC_TUNABLES", "THP_MEM_ALLOC_ENABLE", "OMP_WAIT_POLICY",
            "GOMP_SPINCOUNT");

    static AllocatorVariant parse(String spec) {
        if (spec.equals("launcher")) {
            return new AllocatorVariant("launcher", true, Map.of());
        }
        if (spec.equals("plain")) {
            return new AllocatorVariant("plain", false, Map.of());
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (String kv : spec.split(";")) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || !MANAGED.contains(kv.substring(0, eq))) {
                throw new IllegalArgumentException("allocator variant '" + spec + "': expected launcher, plain or "
                        + "KEY=VALUE[;KEY=VALUE...] with KEY one of " + String.join(", ", MANAGED));
            }
            settings.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return new AllocatorVariant(spec, false, settings);
    }

    /** Applies the variant to a child process's environment. */
    void applyTo(Map<String, String> env) {
        if (!inherit) {
            MANAGED.forEach(env::remove);
        }
        env.putAll(settings);
    }

    /** The managed settings in effect in {@code env}, as {@code K=V} words (for the record). */
    static String effective(Map<String, String> env) {
        StringBuilder b = new StringBuilder();
        for (String k : MANAGED) {
            if (env.containsKey(k)) {
                b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(env.get(k));
            }
        }
        return b.length() == 0 ? "(glibc defaults)" : b.toString();
    }
}
