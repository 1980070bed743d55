package io.dpo4j.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.AtomicFiles;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.safetensors.SafetensorsFile;
import io.dpo4j.core.model.safetensors.SafetensorsWriter;
import io.dpo4j.core.model.safetensors.TensorDtype;
import io.dpo4j.core.model.safetensors.TensorEntry;
import io.dpo4j.core.model.safetensors.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA adapters in PEFT's folder format, written and read: {@code adapter_config.json} (PEFT's
 * {@code LoraConfig} fields: {@code peft_type LORA}, {@code task_type CAUSAL_LM}, r, lora_alpha,
 * lora_dropout, target_modules, {@code bias none}, use_rslora, {@code fan_in_fan_out false}, …) and
 * {@code adapter_model.safetensors} with PEFT's key names
 * ({@code base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight}, {@code [r, in]}, and
 * {@code …lora_B.weight}, {@code [out, r]}). An adapter written here opens with
 * {@code PeftModel.from_pretrained(base, dir)}; one PEFT wrote loads here. Features this project does
 * not implement (DoRA, biases, rank or alpha patterns, layer subsets, modules_to_save, fan_in_fan_out)
 * are refused with the field named, rather than silently mis-applied.
 */
public final class PeftAdapterFiles {

    /** The configuration file. */
    public static final String CONFIG = "adapter_config.json";
    /** The weights file. */
    public static final String WEIGHTS = "adapter_model.safetensors";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PeftAdapterFiles() {
    }

    /** True when {@code folder} holds a PEFT adapter (its {@link #CONFIG}). */
    public static boolean isAdapter(Path folder) {
        return Files.isRegularFile(folder.resolve(CONFIG));
    }

    /**
     * Writes the adapter into {@code folder} (created if needed; the weights first, then the configuration,
     * each atomically).
     *
     * @param baseModel what {@code base_model_name_or_path} records (a path or a hub id), or null
     */
    public static void save(LoraAdapter adapter, Path folder, String baseModel) throws IOException {
        Files.createDirectories(folder);
        List<TensorSource> tensors = new ArrayList<>();
        adapter.parameters().forEach((k, a) -> tensors.add(new Source(k, a)));
        Path tmp = Files.createTempFile(folder, "." + WEIGHTS + ".", ".tmp");
        try {
            SafetensorsWriter.write(tmp, tensors, Map.of("format", "pt"));
            AtomicFiles.move(tmp, folder.resolve(WEIGHTS));
        } finally {
            Files.deleteIfExists(tmp);
        }
        AtomicFiles.writeString(folder.resolve(CONFIG), configJson(adapter.settings(), baseModel));
    }

    /** The {@code adapter_config.json} text PEFT writes for these settings. */
    public static String configJson(LoraSettings s, String baseModel) {
        ObjectNode c = JSON.createObjectNode();
        c.putObject("alpha_pattern");
        c.putNull("auto_mapping");
        if (baseModel == null) {
            c.putNull("base_model_name_or_path");
        } else {
            c.put("base_model_name_or_path", baseModel);
        }
        c.put("bias", "none");
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.putNull("layer_replication");
        c.putNull("layers_pattern");
        c.putNull("layers_to_transform");
        c.putObject("loftq_config");
        if (s.alpha() == Math.rint(s.alpha()) && Math.abs(s.alpha()) < 1e15) {
            c.put("lora_alpha", (long) s.alpha()); // PEFT writes an int when it is one
        } else {
            c.put("lora_alpha", s.alpha());
        }
        c.put("lora_dropout", s.dropout());
        c.putNull("megatron_config");
        c.put("megatron_core", "megatron.core");
        c.putNull("modules_to_save");
        c.put("peft_type", "LORA");
        c.put("r", s.r());
        c.putObject("rank_pattern");
        c.putNull("revision");
        if (s.targetModules().isRegex()) {
            c.put("target_modules", s.targetModules().pattern());
        } else {
            ArrayNode t = c.putArray("target_modules");
            s.targetModules().names().forEach(t::add);
        }
        c.put("task_type", "CAUSAL_LM");
        c.put("use_dora", false);
        c.put("use_rslora", s.useRslora());
        try {
            return JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(c) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads {@code adapter_config.json}.
     *
     * @throws DpoException naming the file, the field and its value when the file is missing, not JSON, not a
     *     LoRA adapter for a causal LM, or uses a feature this project does not implement
     */
    public static LoraSettings readSettings(Path folder) {
        Path file = folder.resolve(CONFIG);
        if (!Files.isRegularFile(file)) {
            throw new DpoException(folder + ": not a PEFT adapter folder (no " + CONFIG + ")");
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw new DpoException(file + ": not valid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.isObject()) {
            throw new DpoException(file + ": expected a JSON object");
        }
        String peftType = text(root, "peft_type", file);
        if (!"LORA".equals(peftType)) {
            throw new DpoException(file + ": peft_type = " + root.get("peft_type") + ": only LORA adapters are supported");
        }
        JsonNode task = root.get("task_type");
        if (task != null && !task.isNull() && !"CAUSAL_LM".equals(task.asText())) {
            throw new DpoException(file + ": task_type = " + task + ": only CAUSAL_LM adapters are supported");
        }
        refuseUnless(root, file, "bias", n -> n.isNull() || "none".equals(n.asText()), "only bias \"none\" is supported");
        refuseUnless(root, file, "fan_in_fan_out", n -> n.isNull() || !n.asBoolean(),
                "only fan_in_fan_out false (nn.Linear layers) is supported");
        refuseUnless(root, file, "use_dora", n -> n.isNull() || !n.asBoolean(), "DoRA is not supported");
        refuseUnless(root, file, "modules_to_save", n -> n.isNull() || (n.isArray() && n.isEmpty()),
                "fully trained extra modules are not supported");
        refuseUnless(root, file, "rank_pattern", n -> n.isNull() || n.isEmpty(), "per-module ranks are not supported");
        refuseUnless(root, file, "alpha_pattern", n -> n.isNull() || n.isEmpty(), "per-module alphas are not supported");
        refuseUnless(root, file, "layers_to_transform", JsonNode::isNull, "layer subsets are not supported");
        refuseUnless(root, file, "layer_replication", JsonNode::isNull, "layer replication is not supported");
        JsonNode r = root.get("r");
        if (r == null || !r.isIntegralNumber() || r.asInt() < 1) {
            throw new DpoException(file + ": r = " + r + ": expected a rank of at least 1");
        }
        JsonNode alpha = root.get("lora_alpha");
        if (alpha == null || !alpha.isNumber() || !(alpha.asDouble() > 0)) {
            throw new DpoException(file + ": lora_alpha = " + alpha + ": expected a positive number");
        }
        JsonNode dropout = root.get("lora_dropout");
        double dropoutValue = dropout == null || dropout.isNull() ? 0 : dropout.asDouble(-1);
        if (dropout != null && !dropout.isNull() && (!dropout.isNumber() || dropoutValue < 0 || dropoutValue >= 1)) {
            throw new DpoException(file + ": lora_dropout = " + dropout + ": expected a number in [0, 1)");
        }
        JsonNode rslora = root.get("use_rslora");
        if (rslora != null && !rslora.isNull() && !rslora.isBoolean()) {
            throw new DpoException(file + ": use_rslora = " + rslora + ": expected true or false");
        }
        TargetModules targets;
        JsonNode t = root.get("target_modules");
        try {
            if (t == null || t.isNull()) {
                targets = TargetModules.defaults();
            } else if (t.isTextual()) {
                targets = TargetModules.regex(t.asText());
            } else if (t.isArray()) {
                List<String> names = new ArrayList<>();
                for (JsonNode n : t) {
                    if (!n.isTextual()) {
                        throw new IllegalArgumentException("target_modules: entry " + n + " is not a string");
                    }
                    names.add(n.asText());
                }
                targets = TargetModules.of(names);
            } else {
                throw new IllegalArgumentException("target_modules = " + t + ": expected a list of names or a regex");
            }
        } catch (IllegalArgumentException e) {
            throw new DpoException(file + ": " + e.getMessage());
        }
        return new LoraSettings(r.asInt(), alpha.asDouble(), Math.max(0, dropoutValue), targets,
                rslora != null && rslora.asBoolean());
    }

    private static String text(JsonNode root, String field, Path file) {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual()) {
            throw new DpoException(file + ": " + field + " = " + n + ": expected a string");
        }
        return n.asText();
    }

    private static void refuseUnless(JsonNode root, Path file, String field,
            java.util.function.Predicate<JsonNode> ok, String why) {
        JsonNode n = root.get(field);
        if (n != null && !ok.test(n)) {
            throw new DpoException(file + ": " + field + " = " + n + ": " + why);
        }
    }

    /**
     * Loads the adapter in {@code folder} for {@code model} (not attached): the settings from
     * {@link #CONFIG}, the weights from {@link #WEIGHTS} (F32, F16 or BF16, widened to float32). PEFT's keys
     * with the adapter name ({@code lora_A.default.weight}) are accepted too.
     *
     * @throws DpoException naming the file and tensor when a weight is missing, unexpected or wrongly shaped
     */
    public static LoraAdapter load(Path folder, LlamaModel model) {
        LoraSettings settings = readSettings(folder);
        Path file = folder.resolve(WEIGHTS);
        if (!Files.isRegularFile(file)) {
            throw new DpoException(folder + ": " + WEIGHTS + " not found (adapter_model.bin is not supported: save "
                    + "with safe_serialization=True)");
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        try (SafetensorsFile weights = SafetensorsFile.open(file)) {
            for (Map.Entry<String, TensorEntry> e : weights.tensors().entrySet()) {
                String key = e.getKey().replace(".lora_A.default.weight", ".lora_A.weight")
                        .replace(".lora_B.default.weight", ".lora_B.weight");
                if (values.put(key, weights.readAsFloat32(e.getValue())) != null) {
                    throw new DpoException(file + ": tensor " + key + " appears twice");
                }
                Shape shape = e.getValue().shape();
                if (shape.dimension() != 2) {
                    throw new DpoException(file + ": tensor " + e.getKey() + ": expected a matrix, found shape " + shape);
                }
                boolean isA = key.endsWith(".lora_A.weight");
                long rank = isA ? shape.get(0) : shape.get(1);
                if ((isA || key.endsWith(".lora_B.weight")) && rank != settings.r()) {
                    throw new DpoException(file + ": tensor " + e.getKey() + " has shape " + shape + ", not rank r = "
                            + settings.r() + " as " + CONFIG + " says");
                }
            }
        }
        return LoraAdapter.of(model, settings, values, file.toString());
    }

    /** An adapter array written as float32. */
    private record Source(String name, NDArray array) implements TensorSource {
        @Override
        public TensorDtype dtype() {
            return TensorDtype.F32;
        }

        @Override
        public Shape shape() {
            return array.getShape();
        }

        @Override
        public float[] readRows(long firstRow, int rowCount) {
            float[] all = array.toFloatArray();
            int row = (int) rowSize();
            float[] out = new float[rowCount * row];
            System.arraycopy(all, (int) (firstRow * row), out, 0, out.length);
            return out;
        }
    }
}
