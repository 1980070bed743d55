package io.dpo4j.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.InvalidHyperparametersException;
import io.dpo4j.api.Violation;
import io.dpo4j.core.data.BadRowPolicy;
import io.dpo4j.core.data.DataFormat;
import io.dpo4j.core.data.TruncationPolicy;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.registry.ObjectiveRegistry;
import io.dpo4j.core.train.Decay;
import io.dpo4j.core.registry.PluginPathException;
import io.dpo4j.core.registry.UnknownObjectiveException;
import java.nio.file.Path;
import io.dpo4j.api.Range;
import io.dpo4j.core.DpoException;
import io.dpo4j.train.Device;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The validated configuration of {@code dpo train}: every field resolved (defaults filled in), every
 * problem of a file reported at once before any model is loaded. See {@code docs/training.md} for
 * the file format; {@link #toTree()} gives the fully resolved configuration written with each run.
 *
 * @param seed seed of every random choice (data order, initialisation, sampling)
 * @param output the run folder
 * @param plugins folders of objective plugin jars
 * @param threads libtorch threads per operation (0: one for models under 20M parameters, else every core)
 * @param device where the model and every array live
 * @param model the policy: a Hugging Face folder or {@code tiny}
 * @param reference the reference model, or {@code null} for the initial policy
 * @param sft the supervised warm-up before preference training
 * @param data the preference data
 * @param objectives one or more objectives; their losses are summed with their weights
 * @param optimizer AdamW settings
 * @param schedule learning-rate schedule
 * @param training batch, accumulation, clipping, length and checkpoint settings
 * @param kernel the log-prob kernel
 * @param evaluation held-out evaluation and sampling settings
 * @param lora LoRA adapters instead of full fine-tuning ({@link Lora#enabled()} false unless the section is given)
 * @param memory activation checkpointing and the memory plan's check
 * @param resolved every key of {@link ConfigSchema} by dotted path, with its resolved value
 */
public record TrainConfig(long seed, Path output, List<Path> plugins, int threads, Device device, String model,
        String reference, Sft sft, Data data, List<ObjectiveSpec> objectives, Optimizer optimizer, Schedule schedule,
        Training training, Kernel kernel, Evaluation evaluation, Lora lora, Memory memory, Map<String, Object> resolved) {

    /** The word that selects the embedded tiny model. */
    public static final String TINY = io.dpo4j.core.train.ModelHub.TINY;

    /** When the supervised warm-up runs. */
    public enum SftMode { AUTO, TRUE, FALSE }

    /** Supervised warm-up: {@code auto} runs it for the tiny model only. */
    public record Sft(SftMode enabled, int steps, double lr, int batchSize, String data) {
    }

    /**
     * Preference data and tokenisation limits. A length limit that is null was not set: it is resolved
     * for the model ({@code io.dpo4j.core.train.Lengths}): the tiny model's small limits, or TRL's for a
     * model of the user's, capped by its {@code max_position_embeddings}.
     */
    public record Data(List<String> train, List<String> validation, double validationSplit, DataFormat format,
            Integer maxPromptLength, Integer maxResponseLength, Integer maxLength, TruncationPolicy truncation,
            BadRowPolicy onBadRow, boolean addBos, int maxRowBytes, int maxFieldChars) {

        /** True when no training file is given: the built-in synthetic data is generated. */
        public boolean synthetic() {
            return train.isEmpty();
        }
    }

    /**
     * One objective of the (weighted) sum.
     *
     * @param id the objective id
     * @param weight its weight in the sum
     * @param params its hyperparameters as written
     * @param configured the objective, configured and validated
     */
    public record ObjectiveSpec(String id, double weight, Map<String, Object> params, ConfiguredObjective configured) {
    }

    /** AdamW settings. */
    public record Optimizer(double lr, double weightDecay, double beta1, double beta2, double eps) {
    }

    /** Warm-up, then decay. */
    public record Schedule(int warmupSteps, Decay decay) {
    }

    /** The training loop's settings. */
    public record Training(int batchSize, int gradientAccumulation, double maxGradNorm, int epochs, Integer maxSteps,
            int evalEvery, int checkpointEvery, int keepCheckpoints) {
    }

    /** Log-prob kernel settings. */
    public record Kernel(KernelType implementation, int memoryBudgetMb) {
    }

    /** Where a LoRA run's reference log-probs come from. */
    public enum LoraReference {
        /** The reference cache, computed once by the base model (the default: cheaper for one epoch and more). */
        CACHE,
        /** The policy with its adapters switched off, scored at every step: no cache file, no upfront pass. */
        ADAPTERS_OFF
    }

    /** How the frozen base of a LoRA run is held. */
    public enum FrozenDtype { FLOAT32, FLOAT16 }

    /** Prompt sharing: auto shares when the estimated FLOPs are lower (see BatchLayout). */
    public enum PromptSharing { AUTO, TRUE, FALSE }

    /** The {@code batching} section: how each micro-batch's sequences are laid out for the model. */
    public io.dpo4j.core.train.BatchLayout batchLayout() {
        io.dpo4j.core.train.BatchLayout.Sharing sharing = switch ((PromptSharing) resolved.get("batching.prompt_sharing")) {
            case AUTO -> io.dpo4j.core.train.BatchLayout.Sharing.AUTO;
            case TRUE -> io.dpo4j.core.train.BatchLayout.Sharing.ON;
            case FALSE -> io.dpo4j.core.train.BatchLayout.Sharing.OFF;
        };
        return new io.dpo4j.core.train.BatchLayout(sharing, (Boolean) resolved.get("batching.packing"),
                (Integer) resolved.get("batching.packing_row_tokens"));
    }

    /** Activation checkpointing: auto turns it on for models of 100M parameters and more. */
    public enum Checkpointing { AUTO, TRUE, FALSE }

    /**
     * LoRA adapters on the policy (PEFT's LoraConfig names).
     *
     * @param enabled true when the {@code lora} section is present
     * @param r the rank
     * @param alpha lora_alpha
     * @param dropout lora_dropout
     * @param targetModules a list of module names, or one string (a regex, or {@code all-linear})
     * @param targetRegex true when {@code target_modules} was a single string
     * @param useRslora scale alpha/√r
     * @param frozenDtype how the frozen base is held
     * @param reference where the reference log-probs come from
     * @param adapter a PEFT adapter folder to start from, or null for a fresh adapter (B = 0)
     * @param merge also write the merged full model at the end
     */
    public record Lora(boolean enabled, int r, double alpha, double dropout, List<String> targetModules,
            boolean targetRegex, boolean useRslora, FrozenDtype frozenDtype, LoraReference reference, String adapter,
            boolean merge) {
    }

    /**
     * Memory settings.
     *
     * @param activationCheckpointing per decoder layer: auto (on from 100M parameters), true, false
     * @param check refuse, before loading, a run whose memory plan does not fit in the available memory
     */
    public record Memory(Checkpointing activationCheckpointing, boolean check) {
    }

    /** Which programmatic reward scores sampled responses. */
    public enum TrueReward { AUTO, SENTIMENT, NONE }

    /**
     * Held-out evaluation and sampling.
     *
     * @param samplePrompts prompts sampled at each evaluation
     * @param maxNewTokens longest sampled response
     * @param temperature sampling temperature
     * @param topP nucleus sampling
     * @param prompts a JSON Lines file of {@code {"prompt"}} to sample from, or null (built-in held-out
     *     prompts for the synthetic data, else the validation prompts)
     * @param trueReward the built-in language's sentiment reward of samples: auto (for the built-in data), on, off
     */
    public record Evaluation(int samplePrompts, int maxNewTokens, double temperature, double topP, String prompts,
            TrueReward trueReward) {
    }

    /**
     * Validates a configuration tree.
     *
     * @param source the file name (or "defaults") for messages
     * @param tree the configuration, overrides already applied
     * @param registries builds the objective registry from the plugin folders
     * @throws ConfigException with every problem found
     */
    public static TrainConfig read(String source, JsonNode tree, Function<List<Path>, ObjectiveRegistry> registries) {
        ConfigReader reader = new ConfigReader(source);
        ConfigReader.Section root = reader.root(tree);
        Map<String, Object> v = new LinkedHashMap<>();
        ConfigReader.Section section = root;
        for (ConfigSchema.Key k : ConfigSchema.KEYS) {
            if (!k.section().equals(section == root ? "" : lastSection(section))) {
                if (section != root) {
                    section.rejectUnknownKeys();
                }
                section = k.section().isEmpty() ? root : root.section(k.section());
            }
            v.put(k.path(), value(reader, section, k));
        }
        if (section != root) {
            section.rejectUnknownKeys();
        }
        long seed = (Integer) v.get("seed");
        Path output = Path.of((String) v.get("output"));
        List<Path> plugins = strings(v, "plugins").stream().map(Path::of).toList();
        Device device = (Device) v.get("device");
        Sft sft = new Sft((SftMode) v.get("sft.enabled"), (Integer) v.get("sft.steps"), (Double) v.get("sft.lr"),
                (Integer) v.get("sft.batch_size"), (String) v.get("sft.data"));
        Data data = new Data(strings(v, "data.train"), strings(v, "data.validation"),
                (Double) v.get("data.validation_split"), (DataFormat) v.get("data.format"),
                (Integer) v.get("data.max_prompt_length"), (Integer) v.get("data.max_response_length"),
                (Integer) v.get("data.max_length"), (TruncationPolicy) v.get("data.truncation"),
                (BadRowPolicy) v.get("data.on_bad_row"), (Boolean) v.get("data.add_bos"),
                (Integer) v.get("data.max_row_bytes"), (Integer) v.get("data.max_field_chars"));
        double[] betas = (double[]) v.get("optimizer.betas");
        Optimizer optimizer = new Optimizer((Double) v.get("optimizer.lr"), (Double) v.get("optimizer.weight_decay"),
                betas[0], betas[1], (Double) v.get("optimizer.eps"));
        Schedule schedule = new Schedule((Integer) v.get("schedule.warmup_steps"), (Decay) v.get("schedule.decay"));
        Training training = new Training((Integer) v.get("batch_size"), (Integer) v.get("gradient_accumulation"),
                (Double) v.get("max_grad_norm"), (Integer) v.get("epochs"), (Integer) v.get("max_steps"),
                (Integer) v.get("eval_every"), (Integer) v.get("checkpoint_every"), (Integer) v.get("keep_checkpoints"));
        Kernel kernel = new Kernel((KernelType) v.get("kernel.implementation"), (Integer) v.get("kernel.memory_budget_mb"));
        Evaluation evaluation = new Evaluation((Integer) v.get("evaluation.sample_prompts"),
                (Integer) v.get("evaluation.max_new_tokens"), (Double) v.get("evaluation.temperature"),
                (Double) v.get("evaluation.top_p"), (String) v.get("evaluation.prompts"),
                (TrueReward) v.get("evaluation.true_reward"));
        int threads = (Integer) v.get("threads");
        String model = (String) v.get("model");
        String reference = (String) v.get("reference");
        JsonNode loraNode = root.raw("lora");
        if (!(loraNode != null && loraNode.isObject() && loraNode.has("enabled"))) {
            // A lora section turns LoRA on unless it says enabled: false.
            v.put("lora.enabled", loraNode != null && !loraNode.isNull());
        }
        int r = (Integer) v.get("lora.r");
        // lora.alpha: null resolves to PEFT's usual 2·r (and stays null in the resolved file, which reads back the same).
        double alpha = v.get("lora.alpha") == null ? 2.0 * r : (Double) v.get("lora.alpha");
        @SuppressWarnings("unchecked")
        List<String> targets = (List<String>) v.get("lora.target_modules");
        JsonNode rawTargets = loraNode != null && loraNode.isObject() ? loraNode.get("target_modules") : null;
        boolean targetRegex = rawTargets != null && rawTargets.isTextual();
        Lora lora = new Lora((Boolean) v.get("lora.enabled"), r, alpha,
                (Double) v.get("lora.dropout"), targets, targetRegex, (Boolean) v.get("lora.use_rslora"),
                (FrozenDtype) v.get("lora.frozen_dtype"), (LoraReference) v.get("lora.reference"),
                (String) v.get("lora.adapter"), (Boolean) v.get("lora.merge"));
        Memory memory = new Memory((Checkpointing) v.get("memory.activation_checkpointing"),
                (Boolean) v.get("memory.check"));


        JsonNode objectiveNode = root.raw("objective");
        if (data.maxLength() != null && data.maxLength() < 2) {
            reader.violation("data.max_length", data.maxLength(), "must leave room for a prompt and a response");
        }
        root.rejectUnknownKeys();

        ObjectiveRegistry registry = null;
        try {
            registry = registries.apply(plugins);
        } catch (PluginPathException ex) {
            reader.violation("plugins", plugins.toString(), ex.getMessage());
        }
        List<ObjectiveSpec> objectives = objectives(reader, objectiveNode, registry);
        reader.throwIfInvalid();
        return new TrainConfig(seed, output, plugins, threads, device, model, reference, sft, data, objectives, optimizer,
                schedule, training, kernel, evaluation, lora, memory, Collections.unmodifiableMap(v));
    }

    private static String lastSection(ConfigReader.Section s) {
        String path = s.path();
        return path.contains(".") ? path.substring(path.lastIndexOf('.') + 1) : path;
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Map<String, Object> v, String path) {
        return (List<String>) v.get(path);
    }

    /** Reads one key of the schema (a violation is recorded and the default returned when it is invalid). */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object value(ConfigReader reader, ConfigReader.Section s, ConfigSchema.Key k) {
        Object d = k.defaultValue();
        return switch (k.type()) {
            case INTEGER -> s.integer(k.name(), (Integer) d, k.min());
            case OPTIONAL_INTEGER -> s.optionalInteger(k.name(), k.min());
            case REAL -> s.real(k.name(), (Double) d, k.range());
            case REAL_PAIR -> s.reals(k.name(), (double[]) d, 2, k.range());
            case CHOICE -> s.choice(k.name(), (Enum) d, (Class) k.choices());
            case STRING -> s.string(k.name(), (String) d);
            case OPTIONAL_STRING -> s.string(k.name(), null);
            case STRINGS -> s.strings(k.name());
            case BOOLEAN -> s.choice(k.name(), (Boolean) d ? ConfigSchema.Toggle.TRUE : ConfigSchema.Toggle.FALSE,
                    ConfigSchema.Toggle.class) == ConfigSchema.Toggle.TRUE;
            case OPTIONAL_REAL -> {
                JsonNode raw = s.raw(k.name());
                yield raw == null || raw.isNull() ? null : (Object) s.real(k.name(), 0.0, k.range());
            }
            case MODULES -> targetModules(reader, s, k);
            case DEVICE -> {
                String text = s.string(k.name(), (String) d);
                try {
                    yield Device.parse(text == null ? (String) d : text);
                } catch (DpoException e) {
                    reader.violation(k.path(), text, "must be " + String.join(", ", "cpu", "gpu or gpu:N"));
                    yield Device.cpu();
                }
            }
        };
    }

    /** {@code lora.target_modules}: a list of module names, or one string (a regex, or {@code all-linear}). */
    @SuppressWarnings("unchecked")
    private static List<String> targetModules(ConfigReader reader, ConfigReader.Section s, ConfigSchema.Key k) {
        JsonNode t = s.raw(k.name());
        if (t == null || t.isNull()) {
            return (List<String>) k.defaultValue();
        }
        if (t.isTextual()) {
            try {
                io.dpo4j.core.lora.TargetModules.regex(t.asText());
            } catch (IllegalArgumentException ex) {
                reader.violation(k.path(), t.asText(), ex.getMessage());
            }
            return List.of(t.asText());
        }
        List<String> targets = new ArrayList<>();
        if (!t.isArray() || t.isEmpty()) {
            reader.violation(k.path(), t, "must be a non-empty list of module names, a regex string, "
                    + "or all-linear");
            return (List<String>) k.defaultValue();
        }
        for (JsonNode n : t) {
            if (!n.isTextual() || n.asText().isBlank()) {
                reader.violation(k.path(), n, "entries must be module names such as q_proj");
            } else {
                targets.add(n.asText());
            }
        }
        return List.copyOf(targets);
    }

    private static List<ObjectiveSpec> objectives(ConfigReader reader, JsonNode node, ObjectiveRegistry registry) {
        List<ObjectiveSpec> out = new ArrayList<>();
        if (node == null) {
            node = ConfigReader.emptyObject().put("id", "dpo");
        }
        if (node.isTextual()) {
            node = ConfigReader.emptyObject().put("id", node.asText());
        }
        List<JsonNode> items = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        if (node.isArray()) {
            if (node.isEmpty()) {
                reader.violation("objective", "[]", "must name at least one objective");
            }
            for (int i = 0; i < node.size(); i++) {
                items.add(node.get(i).isTextual() ? ConfigReader.emptyObject().put("id", node.get(i).asText())
                        : node.get(i));
                paths.add("objective[" + i + "]");
            }
        } else {
            items.add(node);
            paths.add("objective");
        }
        for (int i = 0; i < items.size(); i++) {
            ConfigReader.Section s = reader.at(paths.get(i), items.get(i));
            String prefix = paths.get(i) + ".";
            String id = s.string("id", null);
            double weight = s.real("weight", 1.0, Range.positive());
            Map<String, Object> params = s.scalars("params");
            s.rejectUnknownKeys();
            if (id == null) {
                reader.violation(prefix + "id", null, "name the objective, e.g. dpo, ipo, kto, orpo, simpo");
                continue;
            }
            if (registry == null) {
                continue;
            }
            try {
                out.add(new ObjectiveSpec(id, weight, params, registry.require(id).configure(params)));
            } catch (UnknownObjectiveException ex) {
                reader.violation(prefix + "id", id, ex.getMessage());
            } catch (InvalidHyperparametersException ex) {
                for (Violation v : ex.violations()) {
                    reader.violation(prefix + "params." + v.field(), v.value(), v.rule());
                }
            }
        }
        if (out.size() > 1 && out.stream().map(x -> x.configured().requirements().layout()).distinct().count() > 1) {
            reader.violation("objective", out.stream().map(ObjectiveSpec::id).toList().toString(),
                    "a weighted sum cannot mix paired and unpaired objectives");
        }
        return out;
    }

    /** The fully resolved configuration, every default filled in, as written into the run folder. */
    public ObjectNode toTree() {
        ObjectNode root = ConfigReader.emptyObject();
        for (ConfigSchema.Key k : ConfigSchema.KEYS) {
            if (k.section().equals("optimizer") && !root.has("objective")) {
                root.set("objective", objectivesTree());
            }
            ObjectNode at = k.section().isEmpty() ? root
                    : root.has(k.section()) ? (ObjectNode) root.get(k.section()) : root.putObject(k.section());
            if (k.type() == ConfigSchema.Type.MODULES && lora.targetRegex()) {
                at.put(k.name(), lora.targetModules().get(0));
            } else {
                put(at, k, resolved.get(k.path()));
            }
        }
        return root;
    }

    private static void put(ObjectNode at, ConfigSchema.Key k, Object value) {
        String name = k.name();
        if (value == null) {
            at.putNull(name);
            return;
        }
        switch (k.type()) {
            case INTEGER, OPTIONAL_INTEGER -> at.put(name, (Integer) value);
            case REAL, OPTIONAL_REAL -> at.put(name, (Double) value);
            case BOOLEAN -> at.put(name, (Boolean) value);
            case REAL_PAIR -> {
                double[] pair = (double[]) value;
                at.putArray(name).add(pair[0]).add(pair[1]);
            }
            case CHOICE -> at.put(name, lower((Enum<?>) value));
            case STRINGS -> {
                ArrayNode list = at.putArray(name);
                ((List<?>) value).forEach(x -> list.add(String.valueOf(x)));
            }
            default -> at.put(name, String.valueOf(value));
        }
    }

    private ArrayNode objectivesTree() {
        ArrayNode objs = ConfigReader.emptyObject().arrayNode();
        for (ObjectiveSpec spec : objectives) {
            ObjectNode x = objs.addObject();
            x.put("id", spec.id());
            x.put("weight", spec.weight());
            ObjectNode params = x.putObject("params");
            spec.configured().parameters().asMap().forEach((key, value) -> {
                if (value instanceof Double dv) {
                    params.put(key, dv);
                } else if (value instanceof Boolean bv) {
                    params.put(key, bv);
                } else {
                    params.put(key, String.valueOf(value));
                }
            });
        }
        return objs;
    }

    /** The LoRA settings of {@code lora} (enabled). */
    public io.dpo4j.core.lora.LoraSettings loraSettings() {
        io.dpo4j.core.lora.TargetModules targets = lora.targetRegex()
                ? io.dpo4j.core.lora.TargetModules.regex(lora.targetModules().get(0))
                : io.dpo4j.core.lora.TargetModules.of(lora.targetModules());
        return new io.dpo4j.core.lora.LoraSettings(lora.r(), lora.alpha(), lora.dropout(), targets, lora.useRslora());
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(java.util.Locale.ROOT);
    }
}
