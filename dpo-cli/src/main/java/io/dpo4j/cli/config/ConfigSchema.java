package io.dpo4j.cli.config;

import io.dpo4j.api.Range;
import io.dpo4j.cli.config.TrainConfig.SftMode;
import io.dpo4j.cli.config.TrainConfig.TrueReward;
import io.dpo4j.core.data.BadRowPolicy;
import io.dpo4j.core.data.DataFormat;
import io.dpo4j.core.data.TruncationPolicy;
import io.dpo4j.core.kernel.KernelType;
import io.dpo4j.core.train.Decay;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The configuration of {@code dpo train}, declared once: every key with its type, default, range
 * and description. {@link TrainConfig#read} reads and validates by it, {@link TrainConfig#toTree()}
 * writes {@code config.resolved.yaml} by it, the table in {@code docs/training.md} is
 * {@link #markdownTable()} (a test keeps them equal), and the configuration fuzz test draws its keys
 * and rules from it. The objective ({@code objective:} — an id, a weight and the objective's own
 * hyperparameters, declared by each objective) is the one part read by hand.
 */
public final class ConfigSchema {

    /** A yes/no setting's values, read as a choice (so that YAML's booleans and the words both work). */
    public enum Toggle { FALSE, TRUE }

    /** What a value is. */
    public enum Type {
        /** A whole number with a minimum. */
        INTEGER,
        /** A whole number with a minimum, or null. */
        OPTIONAL_INTEGER,
        /** A number in a range. */
        REAL,
        /** Two numbers, each in the range. */
        REAL_PAIR,
        /** One of the names of an enum (lower case). */
        CHOICE,
        /** A string. */
        STRING,
        /** A string or null. */
        OPTIONAL_STRING,
        /** A list of strings (a single string is a list of one). */
        STRINGS,
        /** {@code cpu}, {@code gpu} or {@code gpu:N}. */
        DEVICE,
        /** {@code true} or {@code false} (a choice of {@link Toggle}). */
        BOOLEAN,
        /** A number in a range, or null. */
        OPTIONAL_REAL,
        /** A list of module names, or one string (a regex, or {@code all-linear}). */
        MODULES
    }

    /**
     * One key.
     *
     * @param section the section ({@code ""} for the top level)
     * @param name the key within it
     * @param type its type
     * @param defaultValue the default (Integer, Double, double[], an enum constant, String, List, or null)
     * @param min the minimum of an integer
     * @param range the range of a number
     * @param choices the enum of a choice
     * @param description one line for the documentation
     */
    public record Key(String section, String name, Type type, Object defaultValue, int min, Range range,
            Class<? extends Enum<?>> choices, String description) {

        /** The dotted path, e.g. {@code optimizer.lr}. */
        public String path() {
            return section.isEmpty() ? name : section + "." + name;
        }

        /** The choices' lower-case names, in declaration order (empty unless a choice). */
        public List<String> choiceNames() {
            return choices == null ? List.of() : Arrays.stream(choices.getEnumConstants())
                    .map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        }

        /** The rule as the validation message states it (e.g. {@code > 0}, {@code >= 1}, one of …). */
        public String rule() {
            return switch (type) {
                case INTEGER, OPTIONAL_INTEGER -> ">= " + min;
                case REAL, REAL_PAIR, OPTIONAL_REAL -> range.describe();
                case CHOICE, BOOLEAN -> "one of " + String.join(", ", choiceNames());
                case DEVICE -> "cpu, gpu or gpu:N";
                default -> "";
            };
        }

        /** The default as written in YAML. */
        public String defaultText() {
            Object d = defaultValue;
            if (d == null) {
                return "null";
            }
            if (d instanceof double[] pair) {
                return "[" + pair[0] + ", " + pair[1] + "]";
            }
            if (d instanceof Enum<?> e) {
                return e.name().toLowerCase(Locale.ROOT);
            }
            if (d instanceof List<?> l) {
                return l.toString();
            }
            return String.valueOf(d);
        }
    }

    /** The sections, in order. */
    public static final List<String> SECTIONS = List.of("sft", "data", "optimizer", "schedule", "kernel",
            "evaluation", "lora", "memory", "batching");

    /** Every key, in the order of {@code config.resolved.yaml}. */
    public static final List<Key> KEYS = List.of(
            integer("", "seed", 42, 0, "every random choice: data order, initialisation, sampling"),
            string("", "output", "runs/dpo", "the run folder (the command line's default is runs/train-TIMESTAMP)"),
            strings("", "plugins", "folders of objective plugin jars"),
            integer("", "threads", 0, 0, "libtorch threads per operation; 0 = 1 below 20M parameters, else every core"),
            new Key("", "device", Type.DEVICE, "cpu", 0, null, null, "where the model, optimizer state and every "
                    + "array live: cpu, gpu (CUDA device 0) or gpu:N; a GPU needs a CUDA libtorch (see Devices)"),
            string("", "model", "tiny", "a Hugging Face folder (config.json, *.safetensors, tokenizer.json), or tiny"),
            optionalString("", "reference", "the reference model folder; null = the initial policy"),
            choice("sft", "enabled", SftMode.AUTO, SftMode.class, "supervised warm-up before preference training: "
                    + "auto = only for the tiny model"),
            integer("sft", "steps", 600, 0, "warm-up optimizer steps"),
            real("sft", "lr", 3e-3, Range.positive(), "warm-up learning rate (linear decay)"),
            integer("sft", "batch_size", 32, 1, "warm-up texts per step"),
            optionalString("sft", "data", "JSON Lines with \"text\"; null = the built-in corpus"),
            strings("data", "train", "JSONL / JSON files; empty = the built-in synthetic preference data"),
            strings("data", "validation", "files; empty = a split of train"),
            real("data", "validation_split", 0.1, Range.closedOpen(0, 1), "fraction of train held out when no "
                    + "validation file is given"),
            choice("data", "format", DataFormat.AUTO, DataFormat.class, "the rows' format (see data.md)"),
            optionalInteger("data", "max_prompt_length", 1, "tokens; null = for the model (tiny: 32, else no "
                    + "separate limit)"),
            optionalInteger("data", "max_response_length", 1, "tokens; null = for the model (tiny: 32, else no "
                    + "separate limit)"),
            optionalInteger("data", "max_length", 2, "prompt + the longer response, tokens; null = for the model "
                    + "(tiny: 64, else TRL's 1024 capped by max_position_embeddings)"),
            choice("data", "truncation", TruncationPolicy.TRUNCATE, TruncationPolicy.class, "over-long examples: "
                    + "truncate (prompt from the left first; a response never becomes empty) or drop"),
            choice("data", "on_bad_row", BadRowPolicy.ERROR, BadRowPolicy.class, "malformed rows: error, or skip "
                    + "(counted, with examples in the log)"),
            bool("data", "add_bos", false, "prepend the model's BOS token to plain-text prompts (chat templates "
                    + "place their own)"),
            integer("data", "max_row_bytes", 16 << 20, 1, "longest row (line) of a data file, bytes; longer rows "
                    + "are bad rows"),
            integer("data", "max_field_chars", 1_000_000, 1, "longest text field of a row, characters"),
            real("optimizer", "lr", 5e-4, Range.positive(), "AdamW's peak learning rate"),
            real("optimizer", "weight_decay", 0.0, Range.nonNegative(), "decoupled weight decay"),
            new Key("optimizer", "betas", Type.REAL_PAIR, new double[] {0.9, 0.999}, 0, Range.closedOpen(0, 1), null,
                    "AdamW's moment decays"),
            real("optimizer", "eps", 1e-8, Range.positive(), "AdamW's epsilon"),
            integer("schedule", "warmup_steps", 0, 0, "linear warm-up from 0"),
            choice("schedule", "decay", Decay.LINEAR, Decay.class, "after warm-up, to 0 at the last step"),
            integer("", "batch_size", 8, 1, "examples (pairs, or unpaired examples) per micro-batch"),
            integer("", "gradient_accumulation", 1, 1, "micro-batches per optimizer step"),
            real("", "max_grad_norm", 1.0, Range.nonNegative(), "global-norm clipping; 0 disables"),
            integer("", "epochs", 1, 1, "passes over the training data"),
            new Key("", "max_steps", Type.OPTIONAL_INTEGER, null, 1, null, null, "optimizer steps; overrides epochs"),
            integer("", "eval_every", 25, 1, "steps between held-out evaluations"),
            integer("", "checkpoint_every", 100, 1, "steps between checkpoints (one is always written at the end)"),
            integer("", "keep_checkpoints", 2, 1, "checkpoints kept"),
            choice("kernel", "implementation", KernelType.SINGLE_PASS, KernelType.class, "the log-prob kernel: "
                    + "single_pass (no logits recompute for row-local objectives, else as chunked), chunked (two-pass), "
                    + "or naive (the reference)"),
            integer("kernel", "memory_budget_mb", 256, 1, "logits per chunk"),
            integer("evaluation", "sample_prompts", 32, 0, "held-out prompts sampled at every evaluation"),
            integer("evaluation", "max_new_tokens", 32, 1, "longest sampled response"),
            real("evaluation", "temperature", 1.0, Range.positive(), "sampling temperature"),
            real("evaluation", "top_p", 1.0, new Range(0, false, 1, true), "nucleus sampling"),
            optionalString("evaluation", "prompts", "JSON Lines of {\"prompt\"} to sample from; null = the built-in "
                    + "held-out prompts (synthetic data) or the validation prompts"),
            choice("evaluation", "true_reward", TrueReward.AUTO, TrueReward.class, "the built-in language's "
                    + "sentiment reward of samples: auto (built-in data), sentiment, none"),
            bool("lora", "enabled", false, "LoRA adapters instead of full fine-tuning; a lora section turns it on "
                    + "unless it says false"),
            integer("lora", "r", 16, 1, "the adapters' rank"),
            new Key("lora", "alpha", Type.OPTIONAL_REAL, null, 0, Range.positive(), null, "lora_alpha; null = 2·r"),
            real("lora", "dropout", 0.0, Range.closedOpen(0, 1), "lora_dropout on the adapters' input"),
            new Key("lora", "target_modules", Type.MODULES, List.of("q_proj", "v_proj"), 0, null, null,
                    "module names, or one string: a regex over module paths, or all-linear"),
            bool("lora", "use_rslora", false, "scale alpha/√r instead of alpha/r"),
            choice("lora", "frozen_dtype", TrainConfig.FrozenDtype.FLOAT32, TrainConfig.FrozenDtype.class,
                    "how the frozen base is held: float32, or float16 (half the memory)"),
            choice("lora", "reference", TrainConfig.LoraReference.CACHE, TrainConfig.LoraReference.class,
                    "reference log-probs: cache (one pass of the base), or adapters_off (the policy with its "
                    + "adapters off, every step)"),
            optionalString("lora", "adapter", "a PEFT adapter folder to start from; null = a fresh adapter (B = 0)"),
            bool("lora", "merge", false, "also write the merged full model at the end"),
            choice("memory", "activation_checkpointing", TrainConfig.Checkpointing.AUTO,
                    TrainConfig.Checkpointing.class, "recompute each decoder layer in backward: auto = from 100M "
                    + "parameters"),
            bool("memory", "check", true, "refuse, before loading, a run whose memory plan does not fit"),
            choice("batching", "prompt_sharing", TrainConfig.PromptSharing.AUTO, TrainConfig.PromptSharing.class,
                    "a pair's chosen and rejected after one copy of its prompt (same log-probs, less compute): "
                    + "auto = when the estimated FLOPs are lower (long prompts)"),
            bool("batching", "packing", false, "pack sequences into rows without padding (block-diagonal masks, "
                    + "same log-probs)"),
            integer("batching", "packing_row_tokens", 0, 0, "with packing, tokens a row; 0 = the micro-batch's "
                    + "longest sequence"));

    private ConfigSchema() {
    }

    /** The key at a dotted path. */
    public static Optional<Key> key(String path) {
        return KEYS.stream().filter(k -> k.path().equals(path)).findFirst();
    }

    /** The keys of a section ({@code ""}: the top level), in order. */
    public static List<Key> section(String section) {
        return KEYS.stream().filter(k -> k.section().equals(section)).toList();
    }

    /** The names a section accepts (for the top level also the sections and {@code objective}). */
    public static List<String> knownNames(String section) {
        List<String> out = new ArrayList<>(section(section).stream().map(Key::name).toList());
        if (section.isEmpty()) {
            out.addAll(SECTIONS);
            out.add("objective");
        }
        return out;
    }

    /** The reference table of {@code docs/training.md}. */
    public static String markdownTable() {
        StringBuilder sb = new StringBuilder("| key | default | rule | meaning |\n|---|---|---|---|\n");
        for (Key k : KEYS) {
            sb.append("| `").append(k.path()).append("` | `").append(k.defaultText()).append("` | ")
                    .append(k.rule().isEmpty() ? "" : "`" + k.rule() + "`").append(" | ")
                    .append(k.description()).append(" |\n");
        }
        return sb.toString();
    }

    private static Key optionalInteger(String section, String name, int min, String description) {
        return new Key(section, name, Type.OPTIONAL_INTEGER, null, min, null, null, description);
    }

    private static Key bool(String section, String name, boolean defaultValue, String description) {
        return new Key(section, name, Type.BOOLEAN, defaultValue, 0, null, Toggle.class, description);
    }

    private static Key integer(String section, String name, int defaultValue, int min, String description) {
        return new Key(section, name, Type.INTEGER, defaultValue, min, null, null, description);
    }

    private static Key real(String section, String name, double defaultValue, Range range, String description) {
        return new Key(section, name, Type.REAL, defaultValue, 0, range, null, description);
    }

    private static Key string(String section, String name, String defaultValue, String description) {
        return new Key(section, name, Type.STRING, defaultValue, 0, null, null, description);
    }

    private static Key optionalString(String section, String name, String description) {
        return new Key(section, name, Type.OPTIONAL_STRING, null, 0, null, null, description);
    }

    private static Key strings(String section, String name, String description) {
        return new Key(section, name, Type.STRINGS, List.of(), 0, null, null, description);
    }

    private static Key choice(String section, String name, Enum<?> defaultValue, Class<? extends Enum<?>> type,
            String description) {
        return new Key(section, name, Type.CHOICE, defaultValue, 0, null, type, description);
    }
}
