package io.dpo4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.dpo4j.api.Range;
import io.dpo4j.bench.lab.LanguageLab;
import io.dpo4j.bench.scenario.ArmSpec;
import io.dpo4j.bench.scenario.BenchContext;
import io.dpo4j.bench.scenario.DeterministicPreferencesScenario;
import io.dpo4j.bench.scenario.IpoOverfittingScenario;
import io.dpo4j.bench.scenario.LabelNoiseScenario;
import io.dpo4j.bench.scenario.LengthBiasScenario;
import io.dpo4j.bench.scenario.MarginRule;
import io.dpo4j.bench.scenario.RewardKlFrontierScenario;
import io.dpo4j.bench.scenario.ScenarioReport;
import io.dpo4j.bench.scenario.SingleStageScenario;
import io.dpo4j.bench.scenario.UnpairedImbalanceScenario;
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
 * @param parallel how many training runs (cells) run at once (each is single-threaded)
 * @param sweepSeeds on how many of the seeds every learning-rate variant runs (0: all); the chosen
 *     variant runs on every seed
 * @param seeds the seeds every cell runs with (5 or more for intervals that mean something)
 * @param scenarios the scenarios to run, in order
 * @param lab the language-model protocol's sizes (null when no scenario trains a language model)
 */
public record SuiteSpec(String name, boolean full, int parallel, int sweepSeeds, List<Long> seeds,
        List<ScenarioSpec> scenarios, LanguageLab.Settings lab) {

    /** One scenario and how to run it. */
    public record ScenarioSpec(String id, Function<BenchContext, ScenarioReport> runner) {
    }

    /** Reads and validates a suite tree. */
    public static SuiteSpec read(String source, JsonNode tree, ObjectiveRegistry registry) {
        ConfigReader reader = new ConfigReader(source);
        ConfigReader.Section root = reader.root(tree);
        String name = root.string("name", "custom");
        boolean full = root.flag("full", false);
        int parallel = root.integer("parallel", 2, 1);
        int sweepSeeds = root.integer("sweep_seeds", 0, 0);
        List<Long> seeds = new ArrayList<>();
        JsonNode seedNode = root.raw("seeds");
        if (seedNode == null) {
            seeds.addAll(List.of(1L, 2L, 3L, 4L, 5L));
        } else if (!seedNode.isArray() || seedNode.isEmpty()) {
            reader.violation("seeds", seedNode.toString(), "must be a list of integers, e.g. [1, 2, 3, 4, 5]");
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
                "length_bias", "unpaired_imbalanced", "single_stage", "ipo_overfitting", "label_noise");
        List<ScenarioSpec> scenarios = new ArrayList<>();
        JsonNode order = sc.node();
        ConfigReader.Section labSection = root.section("lab");
        LanguageLab.Settings lab = lab(reader, labSection);
        java.util.Iterator<String> ids = order.isObject() ? order.fieldNames() : java.util.Collections.emptyIterator();
        while (ids.hasNext()) {
            String id = ids.next();
            ScenarioSpec spec = scenario(reader, sc, id, lab, registry);
            if (spec != null) {
                scenarios.add(spec);
            }
        }
        sc.rejectUnknownKeys();
        root.rejectUnknownKeys();
        if (scenarios.isEmpty() && !reader.violations().stream().anyMatch(v -> v.field().startsWith("scenarios"))) {
            reader.violation("scenarios", null, "name at least one scenario");
        }
        reader.throwIfInvalid();
        boolean languageModel = scenarios.stream().anyMatch(x -> !x.id().equals("deterministic_preferences"));
        return new SuiteSpec(name, full, parallel, sweepSeeds, seeds, scenarios, languageModel ? lab : null);
    }

    /** One scenario's settings (null for an unknown id, reported by the caller's unknown-key check). */
    private static ScenarioSpec scenario(ConfigReader reader, ConfigReader.Section sc, String id,
            LanguageLab.Settings lab, ObjectiveRegistry registry) {
        switch (id) {
            case "deterministic_preferences" -> {
                ConfigReader.Section s = sc.section(id);
                DeterministicPreferencesScenario.Settings settings = new DeterministicPreferencesScenario.Settings(
                        s.integer("steps", 1000, 20), s.real("lr", 0.05, Range.positive()),
                        reals(reader, s, "taus", List.of(0.1, 0.25, 0.5, 1.0, 2.0)),
                        reals(reader, s, "betas", List.of(0.01, 0.1, 1.0)),
                        ids(reader, s, "objectives", List.of("kto", "orpo", "simpo"), registry));
                s.rejectUnknownKeys();
                return new ScenarioSpec(id, ctx -> new DeterministicPreferencesScenario(settings).run(ctx));
            }
            case "reward_kl_frontier" -> {
                ConfigReader.Section s = sc.section(id);
                List<Double> betas = reals(reader, s, "dpo_betas", List.of(0.05, 0.1, 0.5));
                for (int i = 1; i < betas.size(); i++) {
                    if (betas.get(i) <= betas.get(i - 1)) {
                        reader.violation(s.path() + ".dpo_betas", betas.toString(), "must be increasing");
                        break;
                    }
                }
                double primary = s.real("primary_beta", 0.1, Range.positive());
                if (!betas.contains(primary)) {
                    reader.violation(s.path() + ".primary_beta", primary, "must be one of dpo_betas " + betas);
                }
                Map<String, List<Map<String, Object>>> others = sweeps(reader, s, registry);
                List<Integer> bestOfN = new ArrayList<>();
                for (double n : reals(reader, s, "best_of_n", List.of(1.0, 2.0, 4.0, 8.0, 16.0))) {
                    if (n != Math.rint(n) || (!bestOfN.isEmpty() && n <= bestOfN.get(bestOfN.size() - 1))) {
                        reader.violation(s.path() + ".best_of_n", n, "must be increasing integers >= 1");
                        break;
                    }
                    bestOfN.add((int) n);
                }
                RewardKlFrontierScenario.Settings settings = new RewardKlFrontierScenario.Settings(lab,
                        lrs(reader, s, lab), betas, primary, others, s.flag("preferred_ft", true), bestOfN,
                        s.integer("steps", 80, 1), s.integer("eval_every", 10, 1), rules(reader, s, Map.of(
                                "beta_sweep", new MarginRule.Spec(MarginRule.Kind.SUPERIORITY, 0),
                                "vs_preferred_ft", new MarginRule.Spec(MarginRule.Kind.SUPERIORITY, 0),
                                "vs_best_of_n", new MarginRule.Spec(MarginRule.Kind.NON_INFERIORITY, 0.02))));
                s.rejectUnknownKeys();
                return new ScenarioSpec(id, ctx -> new RewardKlFrontierScenario(settings).run(ctx));
            }
            case "length_bias" -> {
                ConfigReader.Section s = sc.section(id);
                s.accept("controls", "ablation_lrs");
                Map<String, ArmSpec> arms = arms(reader, s, "arms", registry, defaultLengthArms());
                List<String> controls = s.has("controls") ? s.strings("controls") : List.of("dpo", "simpo");
                for (String c : controls) {
                    if (!arms.containsKey(c)) {
                        reader.violation(s.path() + ".controls", c, "names no arm; arms: " + arms.keySet());
                    }
                }
                LengthBiasScenario.Settings settings = new LengthBiasScenario.Settings(lab, lrs(reader, s, lab),
                        s.real("per_token", 0.04, Range.nonNegative()), arms, controls,
                        s.has("ablation_lrs") ? reals(reader, s, "ablation_lrs", lab.lrs()) : lrs(reader, s, lab),
                        s.integer("steps", 80, 1),
                        s.integer("eval_every", 10, 1), rules(reader, s, Map.of(
                                "dpo_excess", new MarginRule.Spec(MarginRule.Kind.SUPERIORITY, 0.5),
                                "dpo_vs_simpo", new MarginRule.Spec(MarginRule.Kind.SUPERIORITY, 0.5))));
                s.rejectUnknownKeys();
                return new ScenarioSpec(id, ctx -> new LengthBiasScenario(settings).run(ctx));
            }
            case "unpaired_imbalanced" -> {
                ConfigReader.Section s = sc.section(id);
                UnpairedImbalanceScenario.Settings settings = new UnpairedImbalanceScenario.Settings(lab,
                        lrs(reader, s, lab), s.real("keep_desirable", 0.1, new Range(0, false, 1, true)),
                        s.real("desirable_weight", 10.0, Range.positive()),
                        reals(reader, s, "kto_betas", List.of(0.1, 0.5)), reals(reader, s, "balanced_betas", List.of(0.1)),
                        params(reader, s, "dpo", registry),
                        s.integer("steps", 80, 1), s.integer("eval_every", 10, 1), rules(reader, s, Map.of(
                                "vs_dpo_all", new MarginRule.Spec(MarginRule.Kind.NON_INFERIORITY, 0.02),
                                "vs_dpo_surviving", new MarginRule.Spec(MarginRule.Kind.NON_INFERIORITY, 0.02),
                                "vs_balanced", new MarginRule.Spec(MarginRule.Kind.NON_INFERIORITY, 0.02))));
                s.rejectUnknownKeys();
                return new ScenarioSpec(id, ctx -> new UnpairedImbalanceScenario(settings).run(ctx));
            }
            case "single_stage" -> {
                ConfigReader.Section s = sc.section(id);
                SingleStageScenario.Settings settings = new SingleStageScenario.Settings(lab, lrs(reader, s, lab),
                        params(reader, s, "orpo", registry), s.integer("sft_steps", 80, 1),
                        params(reader, s, "dpo", registry), s.integer("dpo_steps", 80, 1),
                        s.integer("eval_every", 10, 1), rules(reader, s, Map.of(
                                "vs_two_stage", new MarginRule.Spec(MarginRule.Kind.NON_INFERIORITY, 0.02),
                                "vs_sft_only", new MarginRule.Spec(MarginRule.Kind.SUPERIORITY, 0))));
                s.rejectUnknownKeys();
                return new ScenarioSpec(id, ctx -> new SingleStageScenario(settings).run(ctx));
            }
            case "ipo_overfitting" -> {
                ConfigReader.Section s = sc.section(id);
                s.accept("dpo");
                Map<String, Object> dpo = s.has("dpo") ? params(reader, s, "dpo", registry) : Map.of("beta", 0.1);
                IpoOverfittingScenario.Settings settings = new IpoOverfittingScenario.Settings(lab,
                        s.real("lr", 3e-3, Range.positive()), s.integer("train_pairs", 64, 2), dpo,
                        s.real("tau", 0.5, Range.positive()), s.integer("steps", 120, 2), s.integer("eval_every", 10, 1),
                        rules(reader, s, Map.of(
                                "dpo_rejected_falls", new MarginRule.Spec(MarginRule.Kind.SUPERIORITY, 0.5),
                                "dpo_kl_grows", new MarginRule.Spec(MarginRule.Kind.SUPERIORITY, 0.5),
                                "ipo_gap_target", new MarginRule.Spec(MarginRule.Kind.EQUIVALENCE, 0.5),
                                "ipo_levels_off", new MarginRule.Spec(MarginRule.Kind.EQUIVALENCE, 0.5))));
                s.rejectUnknownKeys();
                return new ScenarioSpec(id, ctx -> new IpoOverfittingScenario(settings).run(ctx));
            }
            case "label_noise" -> {
                ConfigReader.Section s = sc.section(id);
                LabelNoiseScenario.Settings settings = new LabelNoiseScenario.Settings(lab, lrs(reader, s, lab),
                        s.real("flip", 0.25, new Range(0, false, 0.5, false)), s.real("beta", 0.5, Range.positive()),
                        s.real("epsilon", 0.25, new Range(0, false, 0.5, false)), s.integer("gap_pairs", 64, 2),
                        s.integer("steps", 80, 1), s.integer("eval_every", 10, 1), rules(reader, s, Map.of(
                                "cdpo_bounded", new MarginRule.Spec(MarginRule.Kind.NON_INFERIORITY, 0.5),
                                "reward_matched_kl", new MarginRule.Spec(MarginRule.Kind.NON_INFERIORITY, 0.02),
                                "dpo_exceeds", new MarginRule.Spec(MarginRule.Kind.SUPERIORITY, 0))));
                s.rejectUnknownKeys();
                return new ScenarioSpec(id, ctx -> new LabelNoiseScenario(settings).run(ctx));
            }
            default -> {
                return null;
            }
        }
    }

    private static Map<String, ArmSpec> defaultLengthArms() {
        Map<String, ArmSpec> arms = new LinkedHashMap<>();
        arms.put("dpo", new ArmSpec("dpo", Map.of("beta", 0.1)));
        arms.put("simpo", new ArmSpec("simpo", Map.of("beta", 2.0, "gamma", 1.0)));
        arms.put("simpo_gamma_0.5", new ArmSpec("simpo", Map.of("beta", 2.0, "gamma", 0.5)));
        arms.put("ipo_normalised", new ArmSpec("ipo", Map.of("beta", 0.1, "length_normalized", true)));
        arms.put("ipo_summed", new ArmSpec("ipo", Map.of("beta", 0.1, "length_normalized", false)));
        arms.put("dpo_reference_free", new ArmSpec("dpo", Map.of("beta", 0.1, "reference_free", true)));
        return arms;
    }

    /** {@code arms: {name: {objective_id: {params}}}}, each validated. */
    static Map<String, ArmSpec> arms(ConfigReader reader, ConfigReader.Section s, String key,
            ObjectiveRegistry registry, Map<String, ArmSpec> defaults) {
        JsonNode node = s.raw(key);
        if (node == null) {
            return defaults;
        }
        Map<String, ArmSpec> out = new LinkedHashMap<>();
        if (!node.isObject()) {
            reader.violation(s.path() + "." + key, node.toString(), "must map arm names to {objective: {params}}");
            return defaults;
        }
        node.fields().forEachRemaining(e -> {
            String field = s.path() + "." + key + "." + e.getKey();
            JsonNode v = e.getValue();
            if (!v.isObject() || v.size() != 1) {
                reader.violation(field, v.toString(), "must be {objective_id: {params}}, e.g. {dpo: {beta: 0.1}}");
                return;
            }
            String id = v.fieldNames().next();
            ConfigReader.Section item = reader.at(field, v);
            Map<String, Object> params = item.scalars(id);
            check(reader, field + "." + id, id, params, registry);
            out.put(e.getKey(), new ArmSpec(id, params));
        });
        return out;
    }

    /** {@code rules: {name: {kind, margin}}}: only the scenario's rule names, each with a kind and a margin. */
    static Map<String, MarginRule.Spec> rules(ConfigReader reader, ConfigReader.Section s,
            Map<String, MarginRule.Spec> defaults) {
        Map<String, MarginRule.Spec> out = new LinkedHashMap<>(new java.util.TreeMap<>(defaults));
        ConfigReader.Section r = s.section("rules").accept(defaults.keySet().toArray(String[]::new));
        for (String name : defaults.keySet()) {
            if (!r.has(name)) {
                continue;
            }
            ConfigReader.Section one = r.section(name);
            MarginRule.Kind kind = one.choice("kind", defaults.get(name).kind(), MarginRule.Kind.class);
            double margin = one.real("margin", defaults.get(name).margin(), Range.nonNegative());
            one.rejectUnknownKeys();
            out.put(name, new MarginRule.Spec(kind, margin));
        }
        r.rejectUnknownKeys();
        return out;
    }

    static LanguageLab.Settings lab(ConfigReader reader, ConfigReader.Section s) {
        List<Double> lrs = reals(reader, s, "lrs", List.of(1e-3, 3e-3));
        LanguageLab.Settings lab = new LanguageLab.Settings(s.integer("sft_steps", 200, 1),
                s.integer("train_prompts", 300, 2), s.integer("samples_per_prompt", 4, 2),
                s.integer("validation_prompts", 24, 1), s.integer("eval_prompts", 48, 1),
                s.integer("max_new_tokens", 20, 2), s.real("bradley_terry_scale", 10.0, Range.positive()), lrs,
                s.integer("batch_size", 16, 1));
        s.rejectUnknownKeys();
        return lab;
    }

    /** A scenario's learning-rate sweep: its own {@code lrs}, else the lab's. */
    static List<Double> lrs(ConfigReader reader, ConfigReader.Section s, LanguageLab.Settings lab) {
        s.accept("lrs");
        return s.has("lrs") ? reals(reader, s, "lrs", lab.lrs()) : lab.lrs();
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
            out.put("ipo", List.of(Map.of("beta", 0.1)));
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
