package io.dpo4j.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.InvalidHyperparametersException;
import io.dpo4j.api.Range;
import io.dpo4j.api.Violation;
import io.dpo4j.core.registry.ObjectiveRegistry;
import io.dpo4j.core.registry.PluginPathException;
import io.dpo4j.core.registry.UnknownObjectiveException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * @param lora LoRA adapters instead of full fine-tuning ({@link Lora#enabled()} false when the section is absent)
 * @param memory activation checkpointing and the memory plan's check
 */
public record TrainConfig(long seed, Path output, List<Path> plugins, int threads, String model, String reference, Sft sft,
        Data data, List<ObjectiveSpec> objectives, Optimizer optimizer, Schedule schedule, Training training,
        Kernel kernel, Evaluation evaluation, Lora lora, Memory memory) {

    /** The word that selects the embedded tiny model. */
    public static final String TINY = "tiny";

    /** When the supervised warm-up runs. */
    public enum SftMode { AUTO, TRUE, FALSE }

    /** Data-file formats. */
    public enum DataFormat { AUTO, PAIRED, IMPLICIT_PROMPT, CONVERSATIONAL, UNPAIRED }

    /** What happens to rows that do not fit the length limits. */
    public enum Truncation { TRUNCATE, DROP }

    /** What happens to malformed rows. */
    public enum BadRowPolicy { ERROR, SKIP }

    /** Learning-rate decay after warm-up. */
    public enum Decay { CONSTANT, LINEAR, COSINE }

    /** Log-prob kernel implementations. */
    public enum KernelImplementation { CHUNKED, NAIVE }

    /** A yes/no setting read as a choice, so that its errors list the two values. */
    private enum Toggle { FALSE, TRUE }

    /** Supervised warm-up: {@code auto} runs it for the tiny model only. */
    public record Sft(SftMode enabled, int steps, double lr, int batchSize, String data) {
    }

    /**
     * Preference data and tokenisation limits. A length limit that is null was not set: it is resolved
     * for the model ({@code io.dpo4j.core.train.Lengths}): the tiny model's small limits, or TRL's for a
     * model of the user's, capped by its {@code max_position_embeddings}.
     */
    public record Data(List<String> train, List<String> validation, double validationSplit, DataFormat format,
            Integer maxPromptLength, Integer maxResponseLength, Integer maxLength, Truncation truncation,
            BadRowPolicy onBadRow, boolean addBos,
            int maxRowBytes, int maxFieldChars) {

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
    public record Kernel(KernelImplementation implementation, int memoryBudgetMb) {
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

    /** A yes/no setting read as a choice (true or false), like {@code sft.enabled}. */
    private enum OnOff { TRUE, FALSE }

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
        long seed = root.integer("seed", 42, 0);
        Path output = Path.of(root.string("output", "runs/dpo"));
        List<Path> plugins = root.strings("plugins").stream().map(Path::of).toList();
        int threads = root.integer("threads", 0, 0);
        String model = root.string("model", TINY);
        String reference = root.string("reference", null);

        ConfigReader.Section s = root.section("sft");
        Sft sft = new Sft(s.choice("enabled", SftMode.AUTO, SftMode.class), s.integer("steps", 600, 0),
                s.real("lr", 3e-3, Range.positive()), s.integer("batch_size", 32, 1), s.string("data", null));
        s.rejectUnknownKeys();

        ConfigReader.Section d = root.section("data");
        Data data = new Data(d.strings("train"), d.strings("validation"),
                d.real("validation_split", 0.1, Range.closedOpen(0, 1)),
                d.choice("format", DataFormat.AUTO, DataFormat.class), d.optionalInteger("max_prompt_length", 1),
                d.optionalInteger("max_response_length", 1), d.optionalInteger("max_length", 2),
                d.choice("truncation", Truncation.TRUNCATE, Truncation.class),
                d.choice("on_bad_row", BadRowPolicy.ERROR, BadRowPolicy.class), d.choice("add_bos", Toggle.FALSE, Toggle.class) == Toggle.TRUE,
                d.integer("max_row_bytes", 16 << 20, 1),
                d.integer("max_field_chars", 1_000_000, 1));
        d.rejectUnknownKeys();

        ConfigReader.Section o = root.section("optimizer");
        double[] betas = o.reals("betas", new double[] {0.9, 0.999}, 2, Range.closedOpen(0, 1));
        Optimizer optimizer = new Optimizer(o.real("lr", 5e-4, Range.positive()),
                o.real("weight_decay", 0.0, Range.nonNegative()), betas[0], betas[1],
                o.real("eps", 1e-8, Range.positive()));
        o.rejectUnknownKeys();

        ConfigReader.Section sc = root.section("schedule");
        Schedule schedule = new Schedule(sc.integer("warmup_steps", 0, 0),
                sc.choice("decay", Decay.LINEAR, Decay.class));
        sc.rejectUnknownKeys();

        Training training = new Training(root.integer("batch_size", 8, 1), root.integer("gradient_accumulation", 1, 1),
                root.real("max_grad_norm", 1.0, Range.nonNegative()), root.integer("epochs", 1, 1),
                root.optionalInteger("max_steps", 1), root.integer("eval_every", 25, 1),
                root.integer("checkpoint_every", 100, 1), root.integer("keep_checkpoints", 2, 1));

        ConfigReader.Section k = root.section("kernel");
        Kernel kernel = new Kernel(k.choice("implementation", KernelImplementation.CHUNKED, KernelImplementation.class),
                k.integer("memory_budget_mb", 256, 1));
        k.rejectUnknownKeys();

        ConfigReader.Section e = root.section("evaluation");
        Evaluation evaluation = new Evaluation(e.integer("sample_prompts", 32, 0), e.integer("max_new_tokens", 32, 1),
                e.real("temperature", 1.0, Range.positive()), e.real("top_p", 1.0, new Range(0, false, 1, true)),
                e.string("prompts", null), e.choice("true_reward", TrueReward.AUTO, TrueReward.class));
        e.rejectUnknownKeys();

        boolean loraEnabled = root.has("lora");
        ConfigReader.Section l = root.section("lora");
        List<String> targets;
        boolean targetRegex = false;
        JsonNode t = l.raw("target_modules");
        if (t != null && t.isTextual()) {
            targets = List.of(t.asText());
            targetRegex = true;
            try {
                io.dpo4j.core.lora.TargetModules.regex(t.asText());
            } catch (IllegalArgumentException ex) {
                reader.violation("lora.target_modules", t.asText(), ex.getMessage());
            }
        } else if (t == null) {
            targets = List.of("q_proj", "v_proj");
        } else {
            targets = new ArrayList<>();
            if (!t.isArray() || t.isEmpty()) {
                reader.violation("lora.target_modules", t.toString(), "must be a non-empty list of module names, a regex "
                        + "string, or all-linear");
            } else {
                for (JsonNode n : t) {
                    if (!n.isTextual() || n.asText().isBlank()) {
                        reader.violation("lora.target_modules", n.toString(), "entries must be module names such as q_proj");
                    } else {
                        targets.add(n.asText());
                    }
                }
            }
        }
        int r = l.integer("r", 16, 1);
        Lora lora = new Lora(loraEnabled, r, l.real("alpha", 2.0 * r, Range.positive()),
                l.real("dropout", 0.0, Range.closedOpen(0, 1)), List.copyOf(targets), targetRegex,
                l.flag("use_rslora", false), l.choice("frozen_dtype", FrozenDtype.FLOAT32, FrozenDtype.class),
                l.choice("reference", LoraReference.CACHE, LoraReference.class), l.string("adapter", null),
                l.flag("merge", false));
        l.rejectUnknownKeys();

        ConfigReader.Section mem = root.section("memory");
        Memory memory = new Memory(mem.choice("activation_checkpointing", Checkpointing.AUTO, Checkpointing.class),
                mem.choice("check", OnOff.TRUE, OnOff.class) == OnOff.TRUE);
        mem.rejectUnknownKeys();

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
        return new TrainConfig(seed, output, plugins, threads, model, reference, sft, data, objectives, optimizer, schedule,
                training, kernel, evaluation, lora, memory);
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
        root.put("seed", seed);
        root.put("output", output.toString());
        ArrayNode pl = root.putArray("plugins");
        plugins.forEach(p -> pl.add(p.toString()));
        root.put("threads", threads);
        root.put("model", model);
        if (reference == null) {
            root.putNull("reference");
        } else {
            root.put("reference", reference);
        }
        ObjectNode s = root.putObject("sft");
        s.put("enabled", sft.enabled().name().toLowerCase(java.util.Locale.ROOT));
        s.put("steps", sft.steps());
        s.put("lr", sft.lr());
        s.put("batch_size", sft.batchSize());
        if (sft.data() == null) {
            s.putNull("data");
        } else {
            s.put("data", sft.data());
        }
        ObjectNode d = root.putObject("data");
        ArrayNode train = d.putArray("train");
        data.train().forEach(train::add);
        ArrayNode val = d.putArray("validation");
        data.validation().forEach(val::add);
        d.put("validation_split", data.validationSplit());
        d.put("format", lower(data.format()));
        // Unset lengths are written as null (left to the defaults for the model), so the tree reads back the same.
        d.put("max_prompt_length", data.maxPromptLength());
        d.put("max_response_length", data.maxResponseLength());
        d.put("max_length", data.maxLength());
        d.put("add_bos", data.addBos());
        d.put("truncation", lower(data.truncation()));
        d.put("on_bad_row", lower(data.onBadRow()));
        d.put("max_row_bytes", data.maxRowBytes());
        d.put("max_field_chars", data.maxFieldChars());
        ArrayNode objs = root.putArray("objective");
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
        ObjectNode o = root.putObject("optimizer");
        o.put("lr", optimizer.lr());
        o.put("weight_decay", optimizer.weightDecay());
        o.putArray("betas").add(optimizer.beta1()).add(optimizer.beta2());
        o.put("eps", optimizer.eps());
        ObjectNode sc = root.putObject("schedule");
        sc.put("warmup_steps", schedule.warmupSteps());
        sc.put("decay", lower(schedule.decay()));
        root.put("batch_size", training.batchSize());
        root.put("gradient_accumulation", training.gradientAccumulation());
        root.put("max_grad_norm", training.maxGradNorm());
        root.put("epochs", training.epochs());
        if (training.maxSteps() == null) {
            root.putNull("max_steps");
        } else {
            root.put("max_steps", training.maxSteps());
        }
        root.put("eval_every", training.evalEvery());
        root.put("checkpoint_every", training.checkpointEvery());
        root.put("keep_checkpoints", training.keepCheckpoints());
        ObjectNode k = root.putObject("kernel");
        k.put("implementation", lower(kernel.implementation()));
        k.put("memory_budget_mb", kernel.memoryBudgetMb());
        ObjectNode e = root.putObject("evaluation");
        e.put("sample_prompts", evaluation.samplePrompts());
        e.put("max_new_tokens", evaluation.maxNewTokens());
        e.put("temperature", evaluation.temperature());
        e.put("top_p", evaluation.topP());
        if (evaluation.prompts() == null) {
            e.putNull("prompts");
        } else {
            e.put("prompts", evaluation.prompts());
        }
        e.put("true_reward", lower(evaluation.trueReward()));
        if (lora.enabled()) {
            ObjectNode l = root.putObject("lora");
            l.put("r", lora.r());
            l.put("alpha", lora.alpha());
            l.put("dropout", lora.dropout());
            if (lora.targetRegex()) {
                l.put("target_modules", lora.targetModules().get(0));
            } else {
                ArrayNode tm = l.putArray("target_modules");
                lora.targetModules().forEach(tm::add);
            }
            l.put("use_rslora", lora.useRslora());
            l.put("frozen_dtype", lower(lora.frozenDtype()));
            l.put("reference", lower(lora.reference()));
            if (lora.adapter() == null) {
                l.putNull("adapter");
            } else {
                l.put("adapter", lora.adapter());
            }
            l.put("merge", lora.merge());
        }
        ObjectNode m = root.putObject("memory");
        m.put("activation_checkpointing", lower(memory.activationCheckpointing()));
        m.put("check", memory.check());
        return root;
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
