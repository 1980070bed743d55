package io.dpo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.api.Range;
import io.dpo4j.bench.scenario.BenchContext;
import io.dpo4j.bench.lab.LanguageLab;
import io.dpo4j.bench.scenario.DeterministicPreferencesScenario;
import io.dpo4j.bench.scenario.LengthBiasScenario;
import io.dpo4j.bench.scenario.RewardKlFrontierScenario;
import io.dpo4j.bench.scenario.SingleStageScenario;
import io.dpo4j.bench.scenario.UnpairedImbalanceScenario;
import io.dpo4j.bench.scenario.ScenarioReport;
import io.dpo4j.cli.config.ConfigReader;
import io.dpo4j.core.registry.ObjectiveRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        ConfigReader.Section sc = root.section("scenarios").accept("deterministic_preferences", "reward_kl_frontier",
                "length_bias", "unpaired_imbalanced", "single_stage");
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
        LanguageLab.Settings lab = lab(root.section("lab"));
        if (sc.has("reward_kl_frontier")) {
            ConfigReader.Section s = sc.section("reward_kl_frontier");
            Map<String, List<Map<String, Object>>> sweeps = sweeps(reader, s, registry);
            RewardKlFrontierScenario.Settings settings = new RewardKlFrontierScenario.Settings(lab, sweeps,
                    s.integer("steps", 150, 1), s.integer("eval_every", 30, 1), s.real("small_kl", 5.0, Range.positive()));
            s.rejectUnknownKeys();
            scenarios.add(new ScenarioSpec("reward_kl_frontier", ctx -> new RewardKlFrontierScenario(settings).run(ctx)));
        }
        if (sc.has("length_bias")) {
            ConfigReader.Section s = sc.section("length_bias");
            Map<String, Map<String, Object>> objectives = new LinkedHashMap<>();
            ConfigReader.Section o = s.section("objectives");
            JsonNode node = s.raw("objectives");
            if (node == null) {
                objectives.put("dpo", Map.of("beta", 0.1));
                objectives.put("ipo", Map.of());
                objectives.put("simpo", Map.of());
            } else if (node.isObject()) {
                node.fieldNames().forEachRemaining(id -> objectives.put(id, params(reader, o, id, registry)));
            }
            LengthBiasScenario.Settings settings = new LengthBiasScenario.Settings(lab,
                    s.real("per_token", 0.04, Range.nonNegative()), objectives, s.integer("steps", 150, 1),
                    s.integer("eval_every", 30, 1));
            s.rejectUnknownKeys();
            scenarios.add(new ScenarioSpec("length_bias", ctx -> new LengthBiasScenario(settings).run(ctx)));
        }
        if (sc.has("unpaired_imbalanced")) {
            ConfigReader.Section s = sc.section("unpaired_imbalanced");
            UnpairedImbalanceScenario.Settings settings = new UnpairedImbalanceScenario.Settings(lab,
                    s.real("keep_desirable", 0.1, new Range(0, false, 1, true)),
                    s.real("desirable_weight", 10.0, Range.positive()), params(reader, s, "dpo", registry),
                    s.integer("steps", 150, 1), s.integer("eval_every", 30, 1));
            s.rejectUnknownKeys();
            scenarios.add(new ScenarioSpec("unpaired_imbalanced", ctx -> new UnpairedImbalanceScenario(settings).run(ctx)));
        }
        if (sc.has("single_stage")) {
            ConfigReader.Section s = sc.section("single_stage");
            Map<String, Object> orpo = params(reader, s, "orpo", registry);
            Map<String, Object> dpo = params(reader, s, "dpo", registry);
            SingleStageScenario.Settings settings = new SingleStageScenario.Settings(lab, orpo,
                    s.integer("orpo_steps", 300, 1), dpo, s.integer("dpo_steps", 150, 1), s.integer("eval_every", 50, 1),
                    s.real("tolerance", 0.05, Range.nonNegative()));
            s.rejectUnknownKeys();
            scenarios.add(new ScenarioSpec("single_stage", ctx -> new SingleStageScenario(settings).run(ctx)));
        }
        sc.rejectUnknownKeys();
        root.rejectUnknownKeys();
        if (scenarios.isEmpty()) {
            reader.violation("scenarios", null, "name at least one scenario");
        }
        reader.throwIfInvalid();
        return new SuiteSpec(name, full, seeds, scenarios);
    }

    static LanguageLab.Settings lab(ConfigReader.Section s) {
        LanguageLab.Settings lab = new LanguageLab.Settings(s.integer("sft_steps", 300, 1), s.integer("train_prompts", 400, 2),
                s.integer("samples_per_prompt", 4, 2), s.integer("held_out_prompts", 64, 2), s.integer("eval_prompts", 64, 1),
                s.integer("max_new_tokens", 24, 2), s.real("bradley_terry_scale", 10.0, Range.positive()),
                s.real("lr", 1e-3, Range.positive()), s.integer("batch_size", 16, 1));
        s.rejectUnknownKeys();
        return lab;
    }

    /** {@code id: {params}} under {@code s}: validated against the objective's declarations. */
    static Map<String, Object> params(ConfigReader reader, ConfigReader.Section s, String key,
            ObjectiveRegistry registry) {
        Map<String, Object> params = s.scalars(key);
        String id = key;
        check(reader, s.path() + "." + key, id, params, registry);
        return params;
    }

    private static void check(ConfigReader reader, String field, String id, Map<String, Object> params,
            ObjectiveRegistry registry) {
        try {
            registry.require(id).configure(params);
        } catch (io.dpo4j.api.InvalidHyperparametersException e) {
            e.violations().forEach(v -> reader.violation(field + "." + v.field(), v.value(), v.rule()));
        } catch (RuntimeException e) {
            reader.violation(field, id, e.getMessage());
        }
    }

    /** {@code objectives: {id: [{params}, …]}}: the sweep of each objective. */
    static Map<String, List<Map<String, Object>>> sweeps(ConfigReader reader, ConfigReader.Section s,
            ObjectiveRegistry registry) {
        Map<String, List<Map<String, Object>>> out = new LinkedHashMap<>();
        JsonNode node = s.raw("objectives");
        if (node == null) {
            out.put("dpo", List.of(Map.of("beta", 0.1), Map.of("beta", 0.5)));
            out.put("ipo", List.of(Map.of("beta", 0.5)));
            out.put("kto", List.of(Map.of()));
            out.put("orpo", List.of(Map.of()));
            out.put("simpo", List.of(Map.of()));
            return out;
        }
        if (!node.isObject()) {
            reader.violation(s.path() + ".objectives", node.toString(), "must map objective ids to lists of parameter sets");
            return out;
        }
        node.fields().forEachRemaining(e -> {
            List<Map<String, Object>> sets = new ArrayList<>();
            JsonNode list = e.getValue().isArray() ? e.getValue() : null;
            if (list == null) {
                reader.violation(s.path() + ".objectives." + e.getKey(), e.getValue().toString(),
                        "must be a list of parameter sets, e.g. [{beta: 0.1}, {beta: 0.5}]");
                return;
            }
            for (int i = 0; i < list.size(); i++) {
                ConfigReader.Section item = reader.at(s.path() + ".objectives." + e.getKey() + "[" + i + "]",
                        ConfigReader.emptyObject().set("p", list.get(i)));
                Map<String, Object> params = item.scalars("p");
                check(reader, s.path() + ".objectives." + e.getKey() + "[" + i + "]", e.getKey(), params, registry);
                sets.add(params);
            }
            out.put(e.getKey(), sets);
        });
        return out;
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
