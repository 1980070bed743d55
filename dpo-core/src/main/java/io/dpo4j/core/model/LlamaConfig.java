package io.dpo4j.core.model;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.io.InputFiles;
import io.dpo4j.core.model.safetensors.TensorDtype;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The architecture of a Llama-family decoder, read from (and written as) a Hugging Face
 * {@code config.json}. Values this implementation cannot model faithfully are refused with a
 * {@link DpoException} naming the field and value: another {@code model_type}, {@code hidden_act}
 * other than silu, attention dropout, sliding-window attention, quantised weights, and
 * {@code rope_scaling} types other than default, linear and llama3 (see {@link RopeScaling}).
 *
 * @param family llama or qwen2
 * @param vocabSize {@code vocab_size}
 * @param hiddenSize {@code hidden_size} (d)
 * @param intermediateSize {@code intermediate_size} of the SwiGLU MLP
 * @param numLayers {@code num_hidden_layers}
 * @param numHeads {@code num_attention_heads}
 * @param numKeyValueHeads {@code num_key_value_heads} (grouped-query attention when fewer than heads)
 * @param headDim {@code head_dim}, or {@code hidden_size / num_attention_heads} when not given
 * @param rmsNormEps {@code rms_norm_eps}
 * @param ropeTheta {@code rope_theta}
 * @param ropeScaling {@code rope_scaling}
 * @param maxPositionEmbeddings {@code max_position_embeddings} (informational: positions are not capped)
 * @param qkvBias whether q/k/v projections have a bias (Qwen2 always; Llama with {@code attention_bias})
 * @param outputBias whether the attention output projection has a bias (Llama's {@code attention_bias})
 * @param mlpBias whether the MLP projections have a bias (Llama's {@code mlp_bias})
 * @param tieWordEmbeddings whether the lm_head is the embedding matrix
 * @param bosTokenIds {@code bos_token_id} (empty when null)
 * @param eosTokenIds {@code eos_token_id} (one or several; empty when null)
 * @param padTokenIds {@code pad_token_id} (empty when null)
 * @param storageDtype {@code torch_dtype}: how the weights are stored (computation is always float32)
 */
public record LlamaConfig(ModelFamily family, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
        int numHeads, int numKeyValueHeads, int headDim, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
        int maxPositionEmbeddings, boolean qkvBias, boolean outputBias, boolean mlpBias, boolean tieWordEmbeddings,
        List<Integer> bosTokenIds, List<Integer> eosTokenIds, List<Integer> padTokenIds, TensorDtype storageDtype) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Checks the invariants every constructor path must satisfy. */
    public LlamaConfig {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(ropeScaling, "ropeScaling");
        Objects.requireNonNull(storageDtype, "storageDtype");
        bosTokenIds = List.copyOf(bosTokenIds);
        eosTokenIds = List.copyOf(eosTokenIds);
        padTokenIds = List.copyOf(padTokenIds);
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numLayers);
        positive("num_attention_heads", numHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        if (numHeads % numKeyValueHeads != 0) {
            throw new DpoException("num_attention_heads = " + numHeads + " is not a multiple of num_key_value_heads = "
                    + numKeyValueHeads);
        }
        if (headDim % 2 != 0) {
            throw new DpoException("head_dim = " + headDim + ": rotary embeddings need an even head dimension");
        }
        if (!(rmsNormEps > 0)) {
            throw new DpoException("rms_norm_eps = " + rmsNormEps + ": expected a positive number");
        }
        if (!(ropeTheta > 0)) {
            throw new DpoException("rope_theta = " + ropeTheta + ": expected a positive number");
        }
        if (family == ModelFamily.QWEN2 && (!qkvBias || outputBias || mlpBias)) {
            throw new DpoException("qwen2 has a q/k/v bias and no other bias");
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new DpoException(field + " = " + value + ": expected a positive integer");
        }
    }

    /** Number of query heads sharing one key/value head. */
    public int groupSize() {
        return numHeads / numKeyValueHeads;
    }

    /**
     * Reads and checks a {@code config.json}.
     *
     * @throws DpoException naming the file, field and value of anything missing, malformed or unsupported;
     *     for a file that is not a regular file or over {@link InputFiles#CONFIG_JSON_BYTES}; or for a model
     *     whose weights could not fit the memory available ({@link ModelFootprint#check})
     */
    public static LlamaConfig read(Path configJson) {
        JsonNode json = InputFiles.readJson(configJson, InputFiles.CONFIG_JSON_BYTES, "config.json");
        LlamaConfig config = fromJson(json, configJson.toString());
        ModelFootprint.check(config, configJson);
        return config;
    }

    /** Reads and checks a parsed {@code config.json}; {@code source} names it in errors. */
    public static LlamaConfig fromJson(JsonNode json, String source) {
        if (json == null || !json.isObject()) {
            throw new DpoException(source + ": expected a JSON object");
        }
        ConfigFields f = new ConfigFields(json, source);
        String modelType = f.text("model_type", null);
        if (modelType == null) {
            throw f.error("field model_type is missing (supported: llama, qwen2)");
        }
        ModelFamily family = ModelFamily.fromModelType(modelType).orElseThrow(() -> f.error(
                "model_type = \"" + modelType + "\" is not supported (supported: llama, qwen2)"));
        refuseUnsupported(f, family);

        int hidden = f.requiredPositiveInt("hidden_size");
        int heads = f.requiredPositiveInt("num_attention_heads");
        int kvHeads = f.positiveInt("num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw f.error("num_key_value_heads = " + kvHeads + " does not divide num_attention_heads = " + heads);
        }
        int headDim = f.positiveInt("head_dim", hidden / heads);
        if (headDim == 0 || headDim % 2 != 0) {
            throw f.error("head_dim = " + headDim + ": rotary embeddings need a positive even head dimension");
        }
        double ropeTheta = f.positiveDouble("rope_theta", 10000.0);
        RopeScaling scaling = RopeScaling.NONE;
        JsonNode ropeParameters = f.node("rope_parameters");
        if (ropeParameters != null) {
            // Newer transformers versions keep theta and the scaling type together here.
            ConfigFields rp = new ConfigFields(ropeParameters, source + ": rope_parameters");
            ropeTheta = rp.positiveDouble("rope_theta", ropeTheta);
            scaling = ropeScaling(ropeParameters, source + ": rope_parameters");
        }
        JsonNode ropeScalingNode = f.node("rope_scaling");
        if (ropeScalingNode != null) {
            scaling = ropeScaling(ropeScalingNode, source + ": rope_scaling");
        }
        boolean attentionBias = family == ModelFamily.LLAMA && f.bool("attention_bias", false);
        boolean mlpBias = family == ModelFamily.LLAMA && f.bool("mlp_bias", false);
        String dtypeName = f.present("torch_dtype") ? f.text("torch_dtype", null) : f.text("dtype", "float32");
        TensorDtype storage = TensorDtype.fromTorchName(dtypeName).orElse(TensorDtype.F32);
        int defaultMaxPositions = family == ModelFamily.QWEN2 ? 32768 : 2048;
        return new LlamaConfig(family,
                f.requiredPositiveInt("vocab_size"),
                hidden,
                f.requiredPositiveInt("intermediate_size"),
                f.requiredPositiveInt("num_hidden_layers"),
                heads, kvHeads, headDim,
                f.positiveDouble("rms_norm_eps", 1e-6),
                ropeTheta, scaling,
                f.positiveInt("max_position_embeddings", defaultMaxPositions),
                family == ModelFamily.QWEN2 || attentionBias,
                attentionBias,
                mlpBias,
                f.bool("tie_word_embeddings", false),
                f.tokenIds("bos_token_id"), f.tokenIds("eos_token_id"), f.tokenIds("pad_token_id"),
                storage);
    }

    private static void refuseUnsupported(ConfigFields f, ModelFamily family) {
        String act = f.text("hidden_act", "silu");
        if (!act.equals("silu") && !act.equals("swish")) {
            throw f.error("hidden_act = \"" + act + "\" is not supported (supported: silu)");
        }
        double dropout = f.number("attention_dropout", 0.0);
        if (dropout != 0.0) {
            throw f.error("attention_dropout = " + dropout + " is not supported (only 0)");
        }
        if (f.present("quantization_config")) {
            throw f.error("quantization_config is present: quantised checkpoints are not supported");
        }
        if (family == ModelFamily.QWEN2 && f.bool("use_sliding_window", false)) {
            throw f.error("use_sliding_window = true is not supported (sliding-window attention)");
        }
        JsonNode layerTypes = f.node("layer_types");
        if (layerTypes != null && layerTypes.isArray()) {
            for (JsonNode t : layerTypes) {
                if (!"full_attention".equals(t.asText())) {
                    throw f.error("layer_types contains \"" + t.asText() + "\": only full_attention is supported");
                }
            }
        }
    }

    private static RopeScaling ropeScaling(JsonNode node, String source) {
        if (!node.isObject()) {
            throw new DpoException(source + " = " + node + ": expected an object or null");
        }
        ConfigFields f = new ConfigFields(node, source);
        String type = f.present("rope_type") ? f.text("rope_type", null) : f.text("type", "default");
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "default" -> RopeScaling.NONE;
            case "linear" -> RopeScaling.linear(f.positiveDouble("factor", 1.0));
            case "llama3" -> {
                double low = f.positiveDouble("low_freq_factor", Double.NaN);
                double high = f.positiveDouble("high_freq_factor", Double.NaN);
                double factor = f.positiveDouble("factor", Double.NaN);
                int original = f.positiveInt("original_max_position_embeddings", 0);
                if (Double.isNaN(low) || Double.isNaN(high) || Double.isNaN(factor) || original == 0) {
                    throw f.error("rope_type llama3 needs factor, low_freq_factor, high_freq_factor and "
                            + "original_max_position_embeddings");
                }
                if (!(high > low)) {
                    throw f.error("high_freq_factor = " + high + " must exceed low_freq_factor = " + low);
                }
                yield RopeScaling.llama3(factor, low, high, original);
            }
            default -> throw f.error("type \"" + type + "\" is not supported (supported: null, default, linear, "
                    + "llama3)");
        };
    }

    /** The configuration as a Hugging Face {@code config.json} object. */
    public ObjectNode toJson() {
        ObjectNode json = JSON.createObjectNode();
        json.put("model_type", family.modelType());
        json.putArray("architectures").add(family.architecture());
        json.put("vocab_size", vocabSize);
        json.put("hidden_size", hiddenSize);
        json.put("intermediate_size", intermediateSize);
        json.put("num_hidden_layers", numLayers);
        json.put("num_attention_heads", numHeads);
        json.put("num_key_value_heads", numKeyValueHeads);
        json.put("head_dim", headDim);
        json.put("hidden_act", "silu");
        json.put("rms_norm_eps", rmsNormEps);
        json.put("rope_theta", ropeTheta);
        switch (ropeScaling.type()) {
            case NONE -> json.putNull("rope_scaling");
            case LINEAR -> json.putObject("rope_scaling").put("rope_type", "linear")
                    .put("factor", ropeScaling.factor());
            case LLAMA3 -> json.putObject("rope_scaling").put("rope_type", "llama3")
                    .put("factor", ropeScaling.factor())
                    .put("low_freq_factor", ropeScaling.lowFreqFactor())
                    .put("high_freq_factor", ropeScaling.highFreqFactor())
                    .put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
            default -> throw new IllegalStateException(ropeScaling.type().name());
        }
        json.put("max_position_embeddings", maxPositionEmbeddings);
        if (family == ModelFamily.LLAMA) {
            json.put("attention_bias", outputBias);
            json.put("mlp_bias", mlpBias);
        } else {
            json.put("use_sliding_window", false);
        }
        json.put("attention_dropout", 0.0);
        json.put("tie_word_embeddings", tieWordEmbeddings);
        putIds(json, "bos_token_id", bosTokenIds);
        putIds(json, "eos_token_id", eosTokenIds);
        putIds(json, "pad_token_id", padTokenIds);
        json.put("torch_dtype", storageDtype.torchName());
        return json;
    }

    private static void putIds(ObjectNode json, String field, List<Integer> ids) {
        if (ids.isEmpty()) {
            json.putNull(field);
        } else if (ids.size() == 1) {
            json.put(field, ids.get(0));
        } else {
            ArrayNode a = json.putArray(field);
            ids.forEach(a::add);
        }
    }

    /** A copy stored as another dtype. */
    public LlamaConfig withStorageDtype(TensorDtype dtype) {
        return new LlamaConfig(family, vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKeyValueHeads,
                headDim, rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings, qkvBias, outputBias, mlpBias,
                tieWordEmbeddings, bosTokenIds, eosTokenIds, padTokenIds, dtype);
    }

    /**
     * Every parameter tensor this configuration calls for, in Hugging Face order and naming. With tied
     * embeddings there is no {@code lm_head.weight}.
     */
    public List<ParameterSpec> parameterSpecs() {
        List<ParameterSpec> specs = new ArrayList<>();
        int q = numHeads * headDim;
        int kv = numKeyValueHeads * headDim;
        specs.add(matrix("model.embed_tokens.weight", vocabSize, hiddenSize));
        for (int i = 0; i < numLayers; i++) {
            String p = "model.layers." + i + ".";
            specs.add(norm(p + "input_layernorm.weight"));
            specs.add(norm(p + "post_attention_layernorm.weight"));
            linear(specs, p + "self_attn.q_proj", q, hiddenSize, qkvBias);
            linear(specs, p + "self_attn.k_proj", kv, hiddenSize, qkvBias);
            linear(specs, p + "self_attn.v_proj", kv, hiddenSize, qkvBias);
            linear(specs, p + "self_attn.o_proj", hiddenSize, q, outputBias);
            linear(specs, p + "mlp.gate_proj", intermediateSize, hiddenSize, mlpBias);
            linear(specs, p + "mlp.up_proj", intermediateSize, hiddenSize, mlpBias);
            linear(specs, p + "mlp.down_proj", hiddenSize, intermediateSize, mlpBias);
        }
        specs.add(norm("model.norm.weight"));
        if (!tieWordEmbeddings) {
            specs.add(matrix("lm_head.weight", vocabSize, hiddenSize));
        }
        return specs;
    }

    /** The number of parameters (the tied embedding counted once). */
    public long parameterCount() {
        return ModelFootprint.parameterCount(this);
    }

    private static ParameterSpec matrix(String name, long rows, long cols) {
        return new ParameterSpec(name, new Shape(rows, cols), ParameterSpec.Kind.MATRIX);
    }

    private ParameterSpec norm(String name) {
        return new ParameterSpec(name, new Shape(hiddenSize), ParameterSpec.Kind.NORM);
    }

    private static void linear(List<ParameterSpec> specs, String prefix, int out, int in, boolean bias) {
        specs.add(matrix(prefix + ".weight", out, in));
        if (bias) {
            specs.add(new ParameterSpec(prefix + ".bias", new Shape(out), ParameterSpec.Kind.BIAS));
        }
    }

    /** A builder, for tiny models and tests; defaults are a small Llama. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds configurations in code (the Hugging Face defaults where they exist). */
    public static final class Builder {
        private ModelFamily family = ModelFamily.LLAMA;
        private int vocabSize = 64;
        private int hiddenSize = 32;
        private int intermediateSize = 64;
        private int numLayers = 2;
        private int numHeads = 4;
        private Integer numKeyValueHeads;
        private Integer headDim;
        private double rmsNormEps = 1e-6;
        private double ropeTheta = 10000.0;
        private RopeScaling ropeScaling = RopeScaling.NONE;
        private int maxPositionEmbeddings = 2048;
        private boolean attentionBias;
        private boolean mlpBias;
        private boolean tieWordEmbeddings;
        private List<Integer> bos = List.of();
        private List<Integer> eos = List.of();
        private List<Integer> pad = List.of();
        private TensorDtype storageDtype = TensorDtype.F32;

        private Builder() {
        }

        /** Llama or Qwen2 (which always has a q/k/v bias). */
        public Builder family(ModelFamily value) {
            family = value;
            return this;
        }

        /** Vocabulary size. */
        public Builder vocabSize(int value) {
            vocabSize = value;
            return this;
        }

        /** Model width d. */
        public Builder hiddenSize(int value) {
            hiddenSize = value;
            return this;
        }

        /** MLP width. */
        public Builder intermediateSize(int value) {
            intermediateSize = value;
            return this;
        }

        /** Number of decoder layers. */
        public Builder numLayers(int value) {
            numLayers = value;
            return this;
        }

        /** Number of query heads. */
        public Builder numHeads(int value) {
            numHeads = value;
            return this;
        }

        /** Number of key/value heads (default: the number of query heads). */
        public Builder numKeyValueHeads(int value) {
            numKeyValueHeads = value;
            return this;
        }

        /** Head dimension (default: hidden size / heads). */
        public Builder headDim(int value) {
            headDim = value;
            return this;
        }

        /** RMSNorm epsilon. */
        public Builder rmsNormEps(double value) {
            rmsNormEps = value;
            return this;
        }

        /** Rotary base. */
        public Builder ropeTheta(double value) {
            ropeTheta = value;
            return this;
        }

        /** Rotary scaling. */
        public Builder ropeScaling(RopeScaling value) {
            ropeScaling = value;
            return this;
        }

        /** Informational context length. */
        public Builder maxPositionEmbeddings(int value) {
            maxPositionEmbeddings = value;
            return this;
        }

        /** Llama's {@code attention_bias}: biases on q, k, v and o (ignored for Qwen2). */
        public Builder attentionBias(boolean value) {
            attentionBias = value;
            return this;
        }

        /** Llama's {@code mlp_bias} (ignored for Qwen2). */
        public Builder mlpBias(boolean value) {
            mlpBias = value;
            return this;
        }

        /** Whether the lm_head is the embedding matrix. */
        public Builder tieWordEmbeddings(boolean value) {
            tieWordEmbeddings = value;
            return this;
        }

        /** Special token ids: beginning, end (one or more), padding; {@code null} for none. */
        public Builder tokenIds(Integer bosId, List<Integer> eosIds, Integer padId) {
            bos = bosId == null ? List.of() : List.of(bosId);
            eos = eosIds;
            pad = padId == null ? List.of() : List.of(padId);
            return this;
        }

        /** The dtype the weights are saved as. */
        public Builder storageDtype(TensorDtype value) {
            storageDtype = value;
            return this;
        }

        /** The checked configuration. */
        public LlamaConfig build() {
            int heads = numHeads;
            boolean llama = family == ModelFamily.LLAMA;
            return new LlamaConfig(family, vocabSize, hiddenSize, intermediateSize, numLayers, heads,
                    numKeyValueHeads == null ? heads : numKeyValueHeads,
                    headDim == null ? hiddenSize / heads : headDim,
                    rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings,
                    !llama || attentionBias, llama && attentionBias, llama && mlpBias, tieWordEmbeddings,
                    bos, eos, pad, storageDtype);
        }
    }
}
