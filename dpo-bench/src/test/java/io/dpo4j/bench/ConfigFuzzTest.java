package io.dpo4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.api.Hyperparameter;
import io.dpo4j.api.Range;
import io.dpo4j.core.config.ConfigFiles;
import io.dpo4j.core.config.TrainConfig;
import io.dpo4j.core.data.props.Cases;
import io.dpo4j.core.data.props.Gen;
import io.dpo4j.core.registry.ObjectiveRegistry;
import io.dpo4j.core.registry.RegisteredObjective;
import io.dpo4j.core.reliability.FaultLedger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Configuration fuzzing through {@code dpo train} itself: random invalid values and unknown keys
 * (misspellings of real ones, and names like nothing) across the whole {@link TrainConfig} schema,
 * in the file and through {@code --set}. Whatever the mix, the run stops with ONE message that lists
 * every problem — field, value, rule, and a "did you mean" for a misspelt key — and exit status 1,
 * before anything is created: no run folder, no cache, no model. The dual property: valid values,
 * written in the other forms people use (numbers as strings, booleans, upper case), are accepted.
 */
@DisplayName("Configuration fuzzing: invalid values and misspelt keys give one message listing them all, before anything is created")
class ConfigFuzzTest {

    static final FaultLedger LEDGER = new FaultLedger("configuration", "ConfigFuzzTest (dpo-bench)");
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final ObjectiveRegistry REGISTRY = ObjectiveRegistry.discover();
    static Path dir;

    // ---- the schema ---------------------------------------------------------------------------------

    enum Kind { INT, OPTIONAL_INT, REAL, CHOICE, STRING, OPTIONAL_STRING, FILES, PLUGINS, BETAS }

    /** One leaf key of the configuration: where it is, its kind, its rule's parameters, a valid value. */
    record Key(String section, String name, Kind kind, int min, Range range, List<String> choices, JsonNode valid) {
        String path() {
            return section.isEmpty() ? name : section + "." + name;
        }
    }

    static Key integer(String section, String name, int min, int valid) {
        return new Key(section, name, Kind.INT, min, null, List.of(), NODES.numberNode(valid));
    }

    static Key real(String section, String name, Range range, double valid) {
        return new Key(section, name, Kind.REAL, 0, range, List.of(), NODES.numberNode(valid));
    }

    static Key choice(String section, String name, String... choices) {
        return new Key(section, name, Kind.CHOICE, 0, null, List.of(choices), NODES.textNode(choices[0]));
    }

    static Key of(String section, String name, Kind kind, JsonNode valid) {
        return new Key(section, name, kind, 0, null, List.of(), valid);
    }

    /** Every leaf key of TrainConfig but the objective's (see {@link #schemaIsComplete}). */
    static final List<Key> SCHEMA = List.of(
            integer("", "seed", 0, 11), of("", "output", Kind.STRING, NODES.textNode("run")),
            of("", "plugins", Kind.PLUGINS, NODES.arrayNode()), integer("", "threads", 0, 1),
            of("", "model", Kind.STRING, NODES.textNode("tiny")), of("", "reference", Kind.OPTIONAL_STRING, NODES.nullNode()),
            integer("", "batch_size", 1, 8), integer("", "gradient_accumulation", 1, 1),
            real("", "max_grad_norm", Range.nonNegative(), 1.0), integer("", "epochs", 1, 1),
            new Key("", "max_steps", Kind.OPTIONAL_INT, 1, null, List.of(), NODES.numberNode(12)),
            integer("", "eval_every", 1, 4), integer("", "checkpoint_every", 1, 2), integer("", "keep_checkpoints", 1, 2),
            choice("sft", "enabled", "auto", "true", "false"), integer("sft", "steps", 0, 20),
            real("sft", "lr", Range.positive(), 3e-3), integer("sft", "batch_size", 1, 16),
            of("sft", "data", Kind.OPTIONAL_STRING, NODES.nullNode()),
            of("data", "train", Kind.FILES, NODES.arrayNode()), of("data", "validation", Kind.FILES, NODES.arrayNode()),
            real("data", "validation_split", Range.closedOpen(0, 1), 0.1),
            choice("data", "format", "auto", "paired", "implicit_prompt", "conversational", "unpaired"),
            new Key("data", "max_prompt_length", Kind.OPTIONAL_INT, 1, null, List.of(), NODES.numberNode(16)),
            new Key("data", "max_response_length", Kind.OPTIONAL_INT, 1, null, List.of(), NODES.numberNode(16)),
            new Key("data", "max_length", Kind.OPTIONAL_INT, 2, null, List.of(), NODES.numberNode(32)),
            choice("data", "truncation", "truncate", "drop"),
            choice("data", "on_bad_row", "error", "skip"), choice("data", "add_bos", "false", "true"),
            integer("data", "max_row_bytes", 1, 1 << 20),
            integer("data", "max_field_chars", 1, 100_000),
            real("optimizer", "lr", Range.positive(), 1e-3), real("optimizer", "weight_decay", Range.nonNegative(), 0.0),
            of("optimizer", "betas", Kind.BETAS, NODES.arrayNode().add(0.9).add(0.999)),
            real("optimizer", "eps", Range.positive(), 1e-8),
            integer("schedule", "warmup_steps", 0, 0), choice("schedule", "decay", "constant", "linear", "cosine"),
            choice("kernel", "implementation", "chunked", "naive"), integer("kernel", "memory_budget_mb", 1, 256),
            integer("evaluation", "sample_prompts", 0, 4), integer("evaluation", "max_new_tokens", 1, 8),
            real("evaluation", "temperature", Range.positive(), 1.0),
            real("evaluation", "top_p", new Range(0, false, 1, true), 1.0),
            of("evaluation", "prompts", Kind.OPTIONAL_STRING, NODES.nullNode()),
            choice("evaluation", "true_reward", "auto", "sentiment", "none"),
            choice("memory", "activation_checkpointing", "auto", "true", "false"), choice("memory", "check", "true", "false"));

    /** The objective's weight (its id and params are fuzzed their own way). */
    static final Key OBJECTIVE_WEIGHT = real("objective", "weight", Range.positive(), 1.0);

    /** The keys whose values are fuzzed. */
    static final List<Key> VALUE_KEYS = java.util.stream.Stream.concat(SCHEMA.stream(), Stream.of(OBJECTIVE_WEIGHT)).toList();

    static final List<String> SECTIONS = List.of("sft", "data", "optimizer", "schedule", "kernel", "evaluation");

    /** The keys a section's reader knows (what "did you mean" picks from); "" is the root, "objective" the objective. */
    static List<String> knownKeys(String section) {
        if (section.equals("objective")) {
            return List.of("id", "weight", "params");
        }
        List<String> out = new ArrayList<>();
        SCHEMA.stream().filter(k -> k.section().equals(section)).forEach(k -> out.add(k.name()));
        if (section.isEmpty()) {
            out.addAll(SECTIONS);
            out.add("objective");
        }
        return out;
    }

    @Test
    @DisplayName("the fuzzed schema is the whole configuration: every key of the resolved configuration, no other")
    void schemaIsComplete() {
        TrainConfig defaults = TrainConfig.read("defaults", NODES.objectNode(), p -> REGISTRY);
        Set<String> resolved = new TreeSet<>();
        Iterator<Map.Entry<String, JsonNode>> it = defaults.toTree().fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("objective")) {
                e.getValue().get(0).fieldNames().forEachRemaining(n -> resolved.add("objective." + n));
            } else if (e.getValue().isObject()) {
                e.getValue().fieldNames().forEachRemaining(n -> resolved.add(e.getKey() + "." + n));
            } else {
                resolved.add(e.getKey());
            }
        }
        Set<String> fuzzed = new TreeSet<>();
        SCHEMA.forEach(k -> fuzzed.add(k.path()));
        knownKeys("objective").forEach(k -> fuzzed.add("objective." + k));
        assertThat(fuzzed).isEqualTo(resolved);
    }

    // ---- faults -------------------------------------------------------------------------------------

    /** The fault classes, as the table names them. */
    enum FaultClass {
        INTEGER("invalid integer", "below its minimum, a fraction, a word, a list, a mapping, a boolean, or over 2^31"),
        REAL("invalid number", "outside its range, a word, a list, a mapping, a boolean, or too large for a double"),
        CHOICE("invalid choice", "a misspelt option, an unknown word, or a number"),
        STRING("invalid text", "an empty string, a list or a mapping where one value belongs"),
        FILES("invalid list of files", "a number, or a list with an empty or non-string entry (data.train, data.validation, plugins)"),
        BETAS("invalid betas", "a list of the wrong length, a value outside [0, 1), or not a list"),
        SECTION("section not a mapping", "sft, data, optimizer, schedule, kernel or evaluation given as a number, word or list"),
        MISSPELT_KEY("misspelt key", "a real key with one letter dropped, added, changed or two swapped, in any section"),
        UNKNOWN_KEY("unknown key", "a key like no real one"),
        OBJECTIVE_ID("misspelt objective id", "dpo, ipo, kto, orpo or simpo with a typo"),
        OBJECTIVE_PARAM("invalid hyperparameter", "a value outside the objective's range, a word for a number, a word for a flag"),
        MISSPELT_PARAM("misspelt hyperparameter", "a real hyperparameter of the objective with a typo"),
        SEVERAL("several faults at once", "1 to 8 of the faults above in one configuration, in the file or through --set"),
        VALID("valid values in other forms", "numbers as strings, booleans and upper case for choices, a string for a list, null for optional keys");

        final String name;
        final String description;

        FaultClass(String name, String description) {
            this.name = name;
            this.description = description;
        }
    }

    /**
     * One injected fault.
     *
     * @param kind its class
     * @param target the path it occupies (a key, a section, or a typo's own path)
     * @param value the value written there
     * @param field the field the message must name
     * @param element the index of the offending element in a list value, or -1 for the whole value
     * @param rule the start of the rule the message must give
     * @param original the key a misspelt key stands for, or null
     */
    record Fault(FaultClass kind, String target, JsonNode value, String field, int element, String rule, String original) {
        Fault(FaultClass kind, String target, JsonNode value, String rule) {
            this(kind, target, value, target, -1, rule, null);
        }
    }

    /**
     * A generated configuration: its objective id (unless that is faulted), the file's faults and the
     * --set faults.
     */
    record Case(String objectiveId, List<Fault> inFile, List<Fault> viaSet) {
        List<Fault> all() {
            List<Fault> out = new ArrayList<>(inFile);
            out.addAll(viaSet);
            return out;
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder();
            inFile.forEach(f -> s.append("\n  file: ").append(f.target()).append(" = ").append(f.value()).append("  → ").append(f.field()));
            viaSet.forEach(f -> s.append("\n  --set ").append(f.target()).append('=').append(setText(f.value())).append("  → ").append(f.field()));
            return s.toString();
        }
    }

    /**
     * The value as the message shows it (ConfigReader's rendering, Violation's quoting), computed from
     * the value as the reader sees it after YAML and --set parsing.
     */
    static String rendered(JsonNode v) {
        if (v.isTextual()) {
            return "\"" + v.asText() + "\"";
        }
        if (v.isNumber()) {
            return v.numberValue().toString();
        }
        if (v.isBoolean()) {
            return v.asText();
        }
        String s = v.toString();
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    /** The value as a hyperparameter message shows it (numbers become doubles). */
    static String renderedParam(JsonNode v) {
        return v.isNumber() ? Double.toString(v.doubleValue()) : rendered(v);
    }

    static final List<String> WORDS = List.of("many", "fast", "sideways", "plenty", "soon", "purple");

    static JsonNode yaml(String text) {
        try {
            return ConfigFiles.yaml().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T> T pick(SplittableRandom r, List<T> values) {
        return values.get(r.nextInt(values.size()));
    }

    static Fault valueFault(Key k, SplittableRandom r) {
        String field = k.path();
        switch (k.kind()) {
            case INT, OPTIONAL_INT -> {
                JsonNode v = pick(r, List.of(NODES.numberNode(k.min() - 1), NODES.numberNode(k.min() + 0.5),
                        NODES.textNode(pick(r, WORDS)), yaml("[1, 2]"), yaml("{a: 1}"), NODES.booleanNode(r.nextBoolean()),
                        NODES.numberNode(3_000_000_000L)));
                return new Fault(FaultClass.INTEGER, field, v, "must be an integer >= " + k.min());
            }
            case REAL -> {
                Range range = k.range();
                List<JsonNode> options = new ArrayList<>(List.of(NODES.textNode(pick(r, WORDS)), yaml("[0.5]"),
                        yaml("{x: 1}"), NODES.booleanNode(true), yaml("1.0e400")));
                if (range.lower() != Double.NEGATIVE_INFINITY) {
                    options.add(NODES.numberNode(range.lowerInclusive() ? range.lower() - 0.25 : range.lower()));
                }
                if (range.upper() != Double.POSITIVE_INFINITY) {
                    options.add(NODES.numberNode(range.upperInclusive() ? range.upper() + 0.5 : range.upper()));
                }
                JsonNode v = pick(r, options);
                return new Fault(FaultClass.REAL, field, v, "must be a number " + range.describe());
            }
            case CHOICE -> {
                String rule = "must be one of " + String.join(", ", k.choices());
                int which = r.nextInt(3);
                if (which == 0) {
                    String option = pick(r, k.choices());
                    String typo = typo(option, k.choices(), r);
                    if (typo != null) {
                        return new Fault(FaultClass.CHOICE, field, NODES.textNode(typo), rule + " (did you mean '" + option + "'?)");
                    }
                }
                JsonNode v = which == 2 ? NODES.numberNode(3) : NODES.textNode(pick(r, WORDS));
                return new Fault(FaultClass.CHOICE, field, v, rule);
            }
            case STRING, OPTIONAL_STRING -> {
                JsonNode v = pick(r, List.of(NODES.textNode(""), yaml("[a, b]"), yaml("{a: 1}")));
                return new Fault(FaultClass.STRING, field, v, v.isTextual() ? "must not be empty" : "must be a single value");
            }
            case FILES, PLUGINS -> {
                int which = r.nextInt(3);
                if (which == 0) {
                    JsonNode v = NODES.numberNode(5);
                    return new Fault(FaultClass.FILES, field, v, "must be a string or a list of strings");
                }
                // Plugins must not hold a valid entry: it would be looked for (and reported) as a folder.
                ArrayNode list = NODES.arrayNode();
                int bad = k.kind() == Kind.PLUGINS ? 0 : r.nextInt(3);
                for (int i = 0; i < bad; i++) {
                    list.add("ok-" + i + ".jsonl");
                }
                JsonNode element = which == 1 ? NODES.textNode("") : NODES.numberNode(7);
                list.add(element);
                return new Fault(FaultClass.FILES, field, list, field + "[" + bad + "]", bad, "must be a non-empty string", null);
            }
            case BETAS -> {
                JsonNode v = pick(r, List.of(yaml("[0.9]"), yaml("[0.9, 0.99, 0.999]"), yaml("[0.9, 1.5]"),
                        yaml("[-0.1, 0.9]"), NODES.numberNode(0.9), NODES.textNode("default")));
                return new Fault(FaultClass.BETAS, field, v, "must be a list of 2 numbers in [0, 1)");
            }
            default -> throw new IllegalStateException(k.kind().name());
        }
    }

    /** A one-edit typo of {@code word} that is closer to it than to any other of {@code known}, or null. */
    static String typo(String word, List<String> known, SplittableRandom r) {
        String letters = "abcdefghijklmnopqrstuvwxyz_";
        for (int attempt = 0; attempt < 20; attempt++) {
            StringBuilder s = new StringBuilder(word);
            int i = r.nextInt(word.length());
            switch (r.nextInt(4)) {
                case 0 -> s.deleteCharAt(i);
                case 1 -> s.insert(i, letters.charAt(r.nextInt(letters.length())));
                case 2 -> s.setCharAt(i, letters.charAt(r.nextInt(letters.length())));
                default -> {
                    if (i + 1 < s.length()) {
                        char c = s.charAt(i);
                        s.setCharAt(i, s.charAt(i + 1));
                        s.setCharAt(i + 1, c);
                    }
                }
            }
            String t = s.toString();
            if (t.isEmpty() || t.startsWith("_") || known.contains(t) || distance(t, word) != 1) {
                continue;
            }
            if (known.stream().filter(k -> !k.equals(word)).allMatch(k -> distance(t, k) > 1)) {
                return t;
            }
        }
        return null;
    }

    /** Optimal string alignment distance (what the "did you mean" promises to measure). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1),
                        d[i - 1][j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    // ---- generating a case ---------------------------------------------------------------------------

    /** The valid configuration every case starts from (output set per case). */
    static ObjectNode base() {
        return ConfigFiles.parse("base", TinyRuns.CONFIG);
    }

    static Gen<Case> invalidCases() {
        return r -> {
            int n = 1 + r.nextInt(r.nextInt(4) == 0 ? 8 : 3);
            Set<String> taken = new LinkedHashSet<>(); // paths (and sections) already faulted
            List<Fault> faults = new ArrayList<>();
            String objectiveId = pick(r, REGISTRY.ids());
            boolean objectiveIdFaulted = false;
            for (int attempt = 0; faults.size() < n && attempt < 50; attempt++) {
                int kind = r.nextInt(10);
                Fault f = null;
                if (kind <= 3) {
                    Key k = pick(r, VALUE_KEYS);
                    if (!taken.contains(k.path()) && !taken.contains(k.section())) {
                        f = valueFault(k, r);
                        taken.add(k.path());
                    }
                } else if (kind == 4) {
                    String section = pick(r, SECTIONS);
                    if (taken.stream().noneMatch(t -> t.equals(section) || t.startsWith(section + "."))) {
                        JsonNode v = pick(r, List.of(NODES.numberNode(5), NODES.textNode(pick(r, WORDS)), yaml("[1]")));
                        f = new Fault(FaultClass.SECTION, section, v, "must be a mapping of key: value");
                        taken.add(section);
                    }
                } else if (kind == 5) {
                    f = misspeltKey(r, taken);
                } else if (kind == 6) {
                    String name = "zq" + randomLetters(r, 6);
                    String section = pick(r, List.of("", "sft", "data", "optimizer", "evaluation"));
                    if (!taken.contains(section)) {
                        String path = section.isEmpty() ? name : section + "." + name;
                        f = new Fault(FaultClass.UNKNOWN_KEY, path, NODES.numberNode(1), "unknown key; known keys");
                        taken.add(path);
                    }
                } else if (kind == 7) {
                    if (!taken.contains("objective.id") && !taken.contains("objective.params")) {
                        String typo = typo(objectiveId, REGISTRY.ids(), r);
                        if (typo != null) {
                            f = new Fault(FaultClass.OBJECTIVE_ID, "objective.id", NODES.textNode(typo),
                                    "unknown objective '" + typo + "' (did you mean '" + objectiveId + "'?)");
                            taken.add("objective.id");
                            objectiveIdFaulted = true;
                        }
                    }
                } else if (!objectiveIdFaulted) {
                    f = paramFault(r, objectiveId, taken, kind == 8);
                    if (f != null) {
                        taken.add("objective.params");
                    }
                }
                if (f != null) {
                    faults.add(f);
                }
            }
            List<Fault> inFile = new ArrayList<>();
            List<Fault> viaSet = new ArrayList<>();
            for (Fault f : faults) {
                (r.nextInt(10) < 3 ? viaSet : inFile).add(f);
            }
            return new Case(objectiveIdFaulted ? null : objectiveId, inFile, viaSet);
        };
    }

    static Fault misspeltKey(SplittableRandom r, Set<String> taken) {
        List<String> sections = new ArrayList<>(SECTIONS);
        sections.add("");
        sections.add("objective");
        String section = pick(r, sections);
        List<String> known = knownKeys(section);
        String key = pick(r, known);
        String original = section.isEmpty() ? key : section + "." + key;
        if (taken.contains(section) || taken.stream().anyMatch(t -> t.equals(original) || t.startsWith(original + "."))
                || original.equals("objective") || original.equals("objective.id") || original.equals("objective.params")) {
            return null;
        }
        String typo = typo(key, known, r);
        if (typo == null) {
            return null;
        }
        String path = section.isEmpty() ? typo : section + "." + typo;
        // The value moves with the key; a misspelt section keeps a small mapping.
        JsonNode value = SECTIONS.contains(key) ? yaml("{x: 1}") : VALUE_KEYS.stream().filter(k -> k.path().equals(original))
                .findFirst().map(Key::valid).orElse(NODES.numberNode(1.0));
        taken.add(original);
        taken.add(path);
        if (SECTIONS.contains(key)) {
            taken.add(key);
        }
        return new Fault(FaultClass.MISSPELT_KEY, path, value, path, -1, "unknown key (did you mean '" + key + "'?)",
                original);
    }

    static Fault paramFault(SplittableRandom r, String id, Set<String> taken, boolean misspell) {
        if (taken.contains("objective.params")) {
            return null;
        }
        List<Hyperparameter> specs = REGISTRY.find(id).map(RegisteredObjective::objective).orElseThrow().hyperparameters();
        if (specs.isEmpty()) {
            return null;
        }
        Hyperparameter spec = pick(r, specs);
        if (misspell) {
            String typo = typo(spec.name(), specs.stream().map(Hyperparameter::name).toList(), r);
            if (typo == null) {
                return null;
            }
            String path = "objective.params." + typo;
            return new Fault(FaultClass.MISSPELT_PARAM, path, NODES.numberNode(1),
                    "unknown parameter of '" + id + "' (did you mean '" + spec.name() + "'?)");
        }
        String path = "objective.params." + spec.name();
        if (spec.type() == Hyperparameter.Type.FLAG) {
            JsonNode v = NODES.textNode(pick(r, WORDS));
            return new Fault(FaultClass.OBJECTIVE_PARAM, path, v, "must be true or false");
        }
        if (spec.type() == Hyperparameter.Type.CHOICE) {
            JsonNode v = NODES.textNode(pick(r, WORDS));
            return new Fault(FaultClass.OBJECTIVE_PARAM, path, v, "must be " + spec.rule());
        }
        Range range = spec.range();
        if (r.nextBoolean() && range.lower() != Double.NEGATIVE_INFINITY) {
            double v = range.lowerInclusive() ? range.lower() - 1 : range.lower();
            return new Fault(FaultClass.OBJECTIVE_PARAM, path, NODES.numberNode(v), "must be " + spec.rule());
        }
        JsonNode v = NODES.textNode(pick(r, WORDS));
        return new Fault(FaultClass.OBJECTIVE_PARAM, path, v, "must be a number " + spec.rule());
    }

    static String randomLetters(SplittableRandom r, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append("qxzjvwk".charAt(r.nextInt(7)));
        }
        return s.toString();
    }

    /** Puts {@code value} at a dotted path of the tree, creating mappings on the way. */
    static void put(ObjectNode tree, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode at = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = at.get(parts[i]);
            at = next instanceof ObjectNode o ? o : at.putObject(parts[i]);
        }
        at.set(parts[parts.length - 1], value);
    }

    static void remove(ObjectNode tree, String path) {
        String[] parts = path.split("\\.");
        JsonNode at = tree;
        for (int i = 0; i < parts.length - 1 && at != null; i++) {
            at = at.get(parts[i]);
        }
        if (at instanceof ObjectNode o) {
            o.remove(parts[parts.length - 1]);
        }
    }

    /** A value as --set takes it (YAML flow style). */
    static String setText(JsonNode v) {
        if (v.isTextual()) {
            return v.asText();
        }
        return v.isContainerNode() ? v.toString() : v.asText();
    }

    // ---- the properties ------------------------------------------------------------------------------

    @BeforeAll
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("dpo4j-config-fuzz");
        for (FaultClass c : FaultClass.values()) {
            LEDGER.declare(c.name, c.description);
        }
    }

    @AfterAll
    static void publish() throws IOException {
        io.dpo4j.core.train.CheckpointStore.deleteTree(dir);
        LEDGER.publish();
    }

    @TestFactory
    @DisplayName("random invalid values and unknown keys: one message with every problem (field, value, rule, did you mean), exit 1, nothing created")
    Stream<DynamicTest> invalid() {
        return Cases.forAll(invalidCases()).tries(200).check(ConfigFuzzTest::checkInvalid);
    }

    static void checkInvalid(Case c) {
        Path caseDir = caseDir();
        ObjectNode tree = base();
        tree.put("output", caseDir.resolve("run").toString());
        if (c.objectiveId() != null) {
            put(tree, "objective.id", NODES.textNode(c.objectiveId()));
        }
        for (Fault f : c.inFile()) {
            if (f.original() != null) {
                remove(tree, f.original()); // a misspelt key replaces the real one
            }
            put(tree, f.target(), f.value());
        }
        Path file = write(caseDir, tree);
        List<String> sets = new ArrayList<>();
        c.viaSet().forEach(f -> sets.add(f.target() + "=" + setText(f.value())));
        List<String> args = new ArrayList<>(List.of("train", file.toString(), "--cache", caseDir.resolve("cache").toString()));
        sets.forEach(x -> {
            args.add("--set");
            args.add(x);
        });
        CliRunner.Result result = CliRunner.run(args.toArray(String[]::new));

        // What the reader sees: the file as YAML, then the overrides.
        ObjectNode seen = ConfigFiles.load(file);
        ConfigFiles.applyOverrides(seen, sets);
        List<Fault> expected = c.all();
        List<String> lines = result.err().lines().toList();
        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(lines).as("one message: a header and one line per problem\n" + result.err()).hasSize(1 + expected.size());
        assertThat(lines.get(0)).isEqualTo("error: " + file + ": " + (expected.size() == 1 ? "1 problem" : expected.size() + " problems"));
        for (Fault f : expected) {
            JsonNode value = at(seen, f.target());
            if (f.element() >= 0) {
                value = value.get(f.element());
            }
            boolean param = f.target().startsWith("objective.params.");
            String prefix = "  - " + f.field() + " = " + (param ? renderedParam(value) : rendered(value)) + ": " + f.rule();
            assertThat(lines.subList(1, lines.size())).as("a line for %s", f).filteredOn(l -> l.startsWith(prefix)).hasSize(1);
            if (f.kind() == FaultClass.UNKNOWN_KEY) {
                assertThat(lines).filteredOn(l -> l.startsWith(prefix)).noneMatch(l -> l.contains("did you mean"));
            }
        }
        assertThat(list(caseDir)).as("nothing created besides the configuration").containsExactly("train.yaml");
        if (!Cases.shrinking()) {
            for (Fault f : expected) {
                LEDGER.record(f.kind().name, f.kind().description, outcome(f, c.viaSet().contains(f)));
            }
            LEDGER.record(FaultClass.SEVERAL.name, FaultClass.SEVERAL.description, expected.size() == 1
                    ? "1 fault: one message, exit 1, nothing created" : expected.size() <= 3
                    ? "2 or 3 faults: one message listing each, exit 1, nothing created"
                    : "4 or more faults: one message listing each, exit 1, nothing created");
        }
    }

    static JsonNode at(JsonNode tree, String path) {
        JsonNode at = tree;
        for (String part : path.split("\\.")) {
            at = at.get(part);
        }
        return at;
    }

    static String outcome(Fault f, boolean viaSet) {
        String what = switch (f.kind()) {
            case MISSPELT_KEY, MISSPELT_PARAM, OBJECTIVE_ID -> "field, value, rule and did you mean";
            case CHOICE -> f.rule().contains("did you mean") ? "field, value, rule and did you mean" : "field, value and rule";
            default -> "field, value and rule";
        };
        return "reported with " + what + (viaSet ? " (given with --set)" : " (in the file)");
    }

    @TestFactory
    @DisplayName("valid values in the other forms people write them are accepted (--validate-only), and nothing is created")
    Stream<DynamicTest> valid() {
        return Cases.forAll(validCases()).tries(50).check(ConfigFuzzTest::checkValid);
    }

    /** Valid values, as the file's entries (path → value) and --set ones. */
    record ValidCase(Map<String, JsonNode> inFile, Map<String, JsonNode> viaSet) {
    }

    static Gen<ValidCase> validCases() {
        return r -> {
            Map<String, JsonNode> file = new LinkedHashMap<>();
            Map<String, JsonNode> set = new LinkedHashMap<>();
            int n = 1 + r.nextInt(8);
            for (int i = 0; i < n; i++) {
                Key k = pick(r, SCHEMA);
                JsonNode v = validValue(k, r);
                if (v != null) {
                    (r.nextInt(4) == 0 && !v.isContainerNode() && !v.isNull() ? set : file).put(k.path(), v);
                }
            }
            return new ValidCase(file, set);
        };
    }

    static JsonNode validValue(Key k, SplittableRandom r) {
        return switch (k.kind()) {
            case INT, OPTIONAL_INT -> {
                int v = k.min() + r.nextInt(5);
                yield switch (r.nextInt(3)) {
                    case 0 -> NODES.textNode(Integer.toString(v));
                    case 1 -> NODES.numberNode((double) v);
                    default -> NODES.numberNode(v);
                };
            }
            case REAL -> {
                Range range = k.range();
                double lower = range.lower() == Double.NEGATIVE_INFINITY ? -1 : range.lower();
                double upper = range.upper() == Double.POSITIVE_INFINITY ? lower + 10 : range.upper();
                double v = lower + (upper - lower) * (0.05 + 0.9 * r.nextDouble());
                yield r.nextBoolean() ? NODES.numberNode(v) : NODES.textNode(Double.toString(v));
            }
            case CHOICE -> {
                String option = pick(r, k.choices());
                if ((option.equals("true") || option.equals("false")) && r.nextBoolean()) {
                    yield NODES.booleanNode(Boolean.parseBoolean(option));
                }
                yield NODES.textNode(r.nextBoolean() ? option.toUpperCase(Locale.ROOT) : option);
            }
            case STRING -> k.name().equals("model") ? NODES.textNode("tiny") : null;
            case OPTIONAL_STRING -> r.nextBoolean() ? NODES.nullNode() : NODES.textNode("some/where-" + r.nextInt(100));
            case FILES -> r.nextBoolean() ? NODES.textNode("one.jsonl") : NODES.arrayNode().add("a.jsonl").add("b.json");
            case PLUGINS -> NODES.arrayNode();
            case BETAS -> NODES.arrayNode().add(r.nextInt(2) == 0 ? 0 : 0.8).add(0.95);
        };
    }

    static void checkValid(ValidCase c) {
        Path caseDir = caseDir();
        ObjectNode tree = base();
        tree.put("output", caseDir.resolve("run").toString());
        c.inFile().forEach((path, v) -> put(tree, path, v));
        List<String> args = new ArrayList<>(List.of("train", write(caseDir, tree).toString(), "--validate-only",
                "--cache", caseDir.resolve("cache").toString()));
        c.viaSet().forEach((path, v) -> {
            args.add("--set");
            args.add(path + "=" + setText(v));
        });
        CliRunner.Result result = CliRunner.run(args.toArray(String[]::new));
        assertThat(result.exitCode()).as("%s\n%s", c, result.err()).isZero();
        assertThat(result.out()).contains(": valid. Resolved configuration:");
        assertThat(list(caseDir)).containsExactly("train.yaml");
        if (!Cases.shrinking()) {
            LEDGER.record(FaultClass.VALID.name, FaultClass.VALID.description, "accepted, nothing created");
        }
    }

    // ---- files ---------------------------------------------------------------------------------------

    private static int counter;

    static synchronized Path caseDir() {
        try {
            return Files.createDirectories(dir.resolve("case-" + (++counter)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path caseDir, ObjectNode tree) {
        Path file = caseDir.resolve("train.yaml");
        try {
            Files.writeString(file, ConfigFiles.toYaml(tree));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static List<String> list(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
