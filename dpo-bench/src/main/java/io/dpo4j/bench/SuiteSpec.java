package io.dpo4j.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.api.Range;
import io.dpo4j.bench.scenario.BenchContext;
import io.dpo4j.bench.scenario.DeterministicPreferencesScenario;
import io.dpo4j.bench.scenario.ScenarioReport;
import io.dpo4j.core.config.ConfigReader;
import io.dpo4j.core.registry.ObjectiveRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A benchmark suite, read from YAML and validated with every error at once: a name, the seeds, and
 * the scenarios with their settings (objectives by id — built-in or plugin — and hyperparameter
 * sweeps). See {@code docs/bench.md}.
 *
 * @param name the suite's name
 * @param full true when it is the full sweep (scenarios may size themselves by it)
 * @param seeds the seeds every cell runs with (at least 3 for confidence intervals)
 * @param scenarios the scenarios to run, in order
 */
public record SuiteSpec(String name, boolean full, List<Long> seeds, List<ScenarioSpec> scenarios) {

    /** One scenario and how to run it. */
    public record ScenarioSpec(String id, Function<BenchContext, ScenarioReport> runner) {
    }

    /** Reads and validates a suite tree. */
    public static SuiteSpec read(String source, JsonNode tree, ObjectiveRegistry registry) {
        ConfigReader reader = new ConfigReader(source);
        ConfigReader.Section root = reader.root(tree);
        String name = root.string("name", "custom");
        boolean full = root.flag("full", false);
        List<Long> seeds = new ArrayList<>();
        JsonNode seedNode = root.raw("seeds");
        if (seedNode == null) {
            seeds.addAll(List.of(1L, 2L, 3L));
        } else if (!seedNode.isArray() || seedNode.isEmpty()) {
            reader.violation("seeds", seedNode.toString(), "must be a list of integers, e.g. [1, 2, 3]");
        } else {
            seedNode.forEach(n -> {
                if (n.canConvertToLong()) {
                    seeds.add(n.asLong());
                } else {
                    reader.violation("seeds", n.toString(), "must be integers");
                }
            });
        }
        ConfigReader.Section sc = root.section("scenarios");
        List<ScenarioSpec> scenarios = new ArrayList<>();
        if (sc.has("deterministic_preferences")) {
            ConfigReader.Section s = sc.section("deterministic_preferences");
            DeterministicPreferencesScenario.Settings settings = new DeterministicPreferencesScenario.Settings(
                    s.integer("steps", 1000, 20), s.real("lr", 0.05, Range.positive()),
                    reals(reader, s, "taus", List.of(0.1, 0.25, 0.5, 1.0, 2.0)),
                    reals(reader, s, "betas", List.of(0.01, 0.1, 1.0)),
                    ids(reader, s, "objectives", List.of("kto", "orpo", "simpo"), registry));
            s.rejectUnknownKeys();
            scenarios.add(new ScenarioSpec("deterministic_preferences",
                    ctx -> new DeterministicPreferencesScenario(settings).run(ctx)));
        }
        sc.rejectUnknownKeys();
        root.rejectUnknownKeys();
        if (scenarios.isEmpty()) {
            reader.violation("scenarios", null, "name at least one scenario");
        }
        reader.throwIfInvalid();
        return new SuiteSpec(name, full, seeds, scenarios);
    }

    static List<Double> reals(ConfigReader reader, ConfigReader.Section s, String key, List<Double> defaults) {
        JsonNode n = s.raw(key);
        if (n == null) {
            return defaults;
        }
        List<Double> out = new ArrayList<>();
        if (!n.isArray() || n.isEmpty()) {
            reader.violation(s.path() + "." + key, n.toString(), "must be a non-empty list of positive numbers");
            return defaults;
        }
        for (JsonNode x : n) {
            if (!x.isNumber() || x.asDouble() <= 0) {
                reader.violation(s.path() + "." + key, n.toString(), "must be a non-empty list of positive numbers");
                return defaults;
            }
            out.add(x.asDouble());
        }
        return out;
    }

    static List<String> ids(ConfigReader reader, ConfigReader.Section s, String key, List<String> defaults,
            ObjectiveRegistry registry) {
        List<String> given = s.has(key) ? s.strings(key) : defaults;
        for (String id : given) {
            if (registry.find(id).isEmpty()) {
                try {
                    registry.require(id);
                } catch (RuntimeException e) {
                    reader.violation(s.path() + "." + key, id, e.getMessage());
                }
            }
        }
        return given;
    }
}
