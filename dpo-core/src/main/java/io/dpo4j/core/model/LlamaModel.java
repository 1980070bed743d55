package io.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dpo4j.api.math.Scalars;
import io.dpo4j.core.DpoException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A Llama-family decoder-only transformer (Llama, Qwen2) as Hugging Face defines it, computed in
 * float32 with DJL operations so that DJL autograd can train it: token embedding; per layer
 * {@code x += attn(rms(x))}, {@code x += mlp(rms(x))}; a final RMSNorm; the lm_head.
 *
 * <ul>
 *   <li>RMSNorm: {@code x · rsqrt(mean(x²) + eps) · weight}.
 *   <li>Attention: q/k/v projections (optional bias), rotary embeddings (rotate-half, {@code rope_theta}),
 *       grouped-query attention (each key/value head serves {@code heads / kv_heads} query heads, as
 *       Hugging Face's {@code repeat_kv} does), scale {@code head_dim^-0.5}, causal and padding mask,
 *       softmax, output projection.
 *   <li>MLP: {@code down(silu(gate(x)) · up(x))}.
 * </ul>
 *
 * <p>Parameters are plain NDArrays keyed by their Hugging Face tensor names, owned by this model's
 * long-lived {@link #manager()}. <b>Memory:</b> call the forward methods with inputs created on a
 * per-step sub-manager; every intermediate and result is attached to the inputs' manager (each
 * operation here has an activation, never a parameter, as its first operand), so closing the step
 * manager frees them and the model's manager does not grow.
 */
public final class LlamaModel implements AutoCloseable {

    /** Added to attention scores that must be ignored: exp(-1e30 - max) is 0, and rows stay finite. */
    private static final float MASKED = -1e30f;

    private final LlamaConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final RotaryEmbedding rotary;
    private final ObjectNode sourceConfigJson;
    private final Path sourceDirectory;

    private LlamaModel(LlamaConfig config, NDManager manager, Map<String, NDArray> parameters,
            ObjectNode sourceConfigJson, Path sourceDirectory) {
        this.config = config;
        this.manager = manager;
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.rotary = new RotaryEmbedding(config, manager);
        this.sourceConfigJson = sourceConfigJson;
        this.sourceDirectory = sourceDirectory;
    }

    /**
     * A model over the given parameters, which must be exactly the configuration's
     * {@link LlamaConfig#parameterSpecs()} (float32, on {@code manager}). The model takes ownership of
     * {@code manager} and closes it in {@link #close()}.
     *
     * @throws DpoException naming a missing, unexpected or wrongly shaped parameter
     */
    public static LlamaModel of(LlamaConfig config, NDManager manager, Map<String, NDArray> parameters) {
        return of(config, manager, parameters, null, null);
    }

    /** As {@link #of(LlamaConfig, NDManager, Map)}, remembering the folder and config it was loaded from. */
    static LlamaModel of(LlamaConfig config, NDManager manager, Map<String, NDArray> parameters,
            ObjectNode sourceConfigJson, Path sourceDirectory) {
        Map<String, NDArray> ordered = new LinkedHashMap<>();
        for (ParameterSpec spec : config.parameterSpecs()) {
            NDArray p = parameters.get(spec.name());
            if (p == null) {
                throw new DpoException("parameter " + spec.name() + " is missing (expected shape " + spec.shape() + ")");
            }
            if (!p.getShape().equals(spec.shape())) {
                throw new DpoException("parameter " + spec.name() + ": expected shape " + spec.shape() + ", found "
                        + p.getShape());
            }
            if (p.getDataType() != DataType.FLOAT32) {
                throw new DpoException("parameter " + spec.name() + ": expected float32, found " + p.getDataType());
            }
            ordered.put(spec.name(), p);
        }
        for (String name : parameters.keySet()) {
            if (!ordered.containsKey(name)) {
                throw new DpoException("parameter " + name + " is not part of this configuration");
            }
        }
        return new LlamaModel(config, manager, ordered, sourceConfigJson, sourceDirectory);
    }

    /** The architecture. */
    public LlamaConfig config() {
        return config;
    }

    /** The long-lived manager owning the parameters. */
    public NDManager manager() {
        return manager;
    }

    /**
     * Every parameter by Hugging Face tensor name, in checkpoint order: what an optimizer updates and
     * what is saved. A tied embedding appears once, as {@code model.embed_tokens.weight}.
     */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** One parameter by name. */
    public NDArray parameter(String name) {
        NDArray p = parameters.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return p;
    }

    /** The lm_head weight, {@code V×d}: the embedding matrix when embeddings are tied. */
    public NDArray lmHeadWeight() {
        return config.tieWordEmbeddings() ? parameter("model.embed_tokens.weight") : parameter("lm_head.weight");
    }

    /** Turns gradient recording on or off for every parameter (off after loading). */
    public void setTrainable(boolean trainable) {
        parameters.values().forEach(p -> p.setRequiresGradient(trainable));
    }

    /** The folder this model was loaded from, if any (its tokenizer files are copied on save). */
    public Optional<Path> sourceDirectory() {
        return Optional.ofNullable(sourceDirectory);
    }

    /** The {@code config.json} it was loaded from, if any (saved back with its extra fields). */
    public Optional<ObjectNode> sourceConfigJson() {
        return Optional.ofNullable(sourceConfigJson == null ? null : sourceConfigJson.deepCopy());
    }

    /** A cache for incremental decoding whose arrays live on a child of {@code parent}. */
    public KvCache newCache(NDManager parent) {
        return new KvCache(config.numLayers(), parent);
    }

    /**
     * The final-normed hidden states {@code B×T×d} of a batch without cache.
     *
     * @param inputIds token ids {@code B×T} (int64), right-padded
     * @param attentionMask {@code B×T}, 1 for real tokens and 0 for padding
     * @param positionIds {@code B×T} (int64), usually {@code 0..T-1} per row
     */
    public NDArray hiddenStates(NDArray inputIds, NDArray attentionMask, NDArray positionIds) {
        return hiddenStates(inputIds, attentionMask, positionIds, null);
    }

    /**
     * The final-normed hidden states {@code B×T×d} of new tokens, continuing from {@code cache} (which
     * is extended with their keys and values) when it is not null.
     *
     * @param inputIds new token ids {@code B×T} (int64)
     * @param attentionMask {@code B×(past+T)}: 1 for real tokens and 0 for padding, over the cached and
     *     the new positions
     * @param positionIds {@code B×T} positions of the new tokens
     * @param cache the cache to read and extend, or null
     */
    public NDArray hiddenStates(NDArray inputIds, NDArray attentionMask, NDArray positionIds, KvCache cache) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("inputIds must be B×T, got " + shape);
        }
        long batch = shape.get(0);
        long tokens = shape.get(1);
        int past = cache == null ? 0 : cache.length();
        if (!attentionMask.getShape().equals(new Shape(batch, past + tokens))) {
            throw new IllegalArgumentException("attentionMask must be " + batch + "×" + (past + tokens) + ", got "
                    + attentionMask.getShape());
        }
        if (!positionIds.getShape().equals(shape)) {
            throw new IllegalArgumentException("positionIds must be " + shape + ", got " + positionIds.getShape());
        }
        NDArray ids = inputIds.getDataType() == DataType.INT64 ? inputIds : inputIds.toType(DataType.INT64, false);
        NDArray x = ids.getNDArrayInternal()
                .embedding(ids, parameter("model.embed_tokens.weight"), SparseFormat.DENSE).singletonOrThrow();
        NDArray[] cosSin = rotary.cosSin(positionIds);
        NDArray maskBias = attentionBias(inputIds.getManager(), attentionMask, (int) tokens, past);
        for (int layer = 0; layer < config.numLayers(); layer++) {
            String p = "model.layers." + layer + ".";
            NDArray h = rmsNorm(x, parameter(p + "input_layernorm.weight"));
            x = x.add(attention(h, p, layer, cosSin, maskBias, cache));
            h = rmsNorm(x, parameter(p + "post_attention_layernorm.weight"));
            x = x.add(mlp(h, p));
        }
        if (cache != null) {
            cache.advance((int) tokens);
        }
        return rmsNorm(x, parameter("model.norm.weight"));
    }

    /** Logits {@code …×V} from hidden states {@code …×d}: {@code H · Wᵀ}. */
    public NDArray logits(NDArray hiddenStates) {
        return Linear.linear(hiddenStates, lmHeadWeight()).singletonOrThrow();
    }

    /** Logits {@code B×T×V} of a batch without cache (see {@link #hiddenStates(NDArray, NDArray, NDArray)}). */
    public NDArray logits(NDArray inputIds, NDArray attentionMask, NDArray positionIds) {
        return logits(hiddenStates(inputIds, attentionMask, positionIds));
    }

    /** RMSNorm in float32: {@code x · rsqrt(mean(x²) + eps) · weight}. */
    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray meanSquare = x.square().mean(new int[] {-1}, true);
        // Constants via Scalars: DJL's pow(Number)/mul(Number) free their scalar before backward runs.
        return x.mul(Scalars.pow(meanSquare.add((float) config.rmsNormEps()), -0.5)).mul(weight);
    }

    private NDArray attention(NDArray h, String prefix, int layer, NDArray[] cosSin, NDArray maskBias,
            KvCache cache) {
        long batch = h.getShape().get(0);
        long tokens = h.getShape().get(1);
        int heads = config.numHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();
        int group = config.groupSize();
        String a = prefix + "self_attn.";
        NDArray q = project(h, a + "q_proj").reshape(batch, tokens, heads, headDim).transpose(0, 2, 1, 3);
        NDArray k = project(h, a + "k_proj").reshape(batch, tokens, kvHeads, headDim).transpose(0, 2, 1, 3);
        NDArray v = project(h, a + "v_proj").reshape(batch, tokens, kvHeads, headDim).transpose(0, 2, 1, 3);
        q = RotaryEmbedding.apply(q, cosSin[0], cosSin[1]);
        k = RotaryEmbedding.apply(k, cosSin[0], cosSin[1]);
        if (cache != null) {
            NDArray[] all = cache.append(layer, k, v);
            k = all[0];
            v = all[1];
        }
        long keys = k.getShape().get(2);
        // Grouped-query attention without copying keys: the query heads of one key/value head are
        // consecutive, so B×H×T×D reshapes to B×kvH×(group·T)×D and meets its key/value head directly.
        // The scale head_dim^-0.5 is applied to q (T·D values) rather than to the scores (T·S values).
        NDArray scores = Scalars.mul(q, 1.0 / Math.sqrt(headDim))
                .reshape(batch, kvHeads, group * tokens, headDim)
                .matMul(k.transpose(0, 1, 3, 2))
                .reshape(batch, heads, tokens, keys)
                .add(maskBias);
        NDArray context = scores.softmax(-1)
                .reshape(batch, kvHeads, group * tokens, keys)
                .matMul(v)
                .reshape(batch, heads, tokens, headDim)
                .transpose(0, 2, 1, 3)
                .reshape(batch, tokens, (long) heads * headDim);
        return project(context, a + "o_proj");
    }

    private NDArray mlp(NDArray h, String prefix) {
        NDArray gate = project(h, prefix + "mlp.gate_proj");
        NDArray up = project(h, prefix + "mlp.up_proj");
        return project(gate.mul(Activation.sigmoid(gate)).mul(up), prefix + "mlp.down_proj");
    }

    /** {@code x · Wᵀ + b} with {@code x} as the first operand, so the result joins x's manager. */
    private NDArray project(NDArray x, String name) {
        NDArray bias = parameters.get(name + ".bias");
        return Linear.linear(x, parameter(name + ".weight"), bias).singletonOrThrow();
    }

    /**
     * The additive attention mask {@code B×1×T×S}: 0 where query i may read key j (j is not after i's
     * position and is not padding), {@link #MASKED} elsewhere.
     */
    private static NDArray attentionBias(NDManager step, NDArray attentionMask, int tokens, int past) {
        int keys = past + tokens;
        float[] causal = new float[tokens * keys];
        for (int i = 0; i < tokens; i++) {
            for (int j = past + i + 1; j < keys; j++) {
                causal[i * keys + j] = MASKED;
            }
        }
        long batch = attentionMask.getShape().get(0);
        NDArray padding = Scalars.mul(attentionMask.toType(DataType.FLOAT32, false).sub(1f), -MASKED)
                .reshape(batch, 1, 1, keys);
        return padding.add(step.create(causal, new Shape(1, 1, tokens, keys)));
    }

    /** Frees the parameters (closes the model's manager). */
    @Override
    public void close() {
        manager.close();
    }
}
