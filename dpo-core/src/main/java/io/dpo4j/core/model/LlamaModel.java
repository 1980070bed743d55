package io.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
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
 *       softmax, output projection. By default the scores, mask, softmax and product run fused in libtorch's
 *       {@code scaled_dot_product_attention} (no scores materialised, no probabilities kept for backward; see
 *       {@link #setFusedAttention}); the eager path computes them one operation at a time.
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
    private static final float MASKED = AttentionMask.MASKED;

    private final LlamaConfig config;
    private final NDManager manager;
    private final Map<String, NDArray> parameters;
    private final Map<String, NDArray> parameterView;
    private final RotaryEmbedding rotary;
    private final ObjectNode sourceConfigJson;
    private final Path sourceDirectory;
    private LinearAdapter adapter;
    private boolean adapterEnabled = true;
    private boolean fusedRequested = true;

    private LlamaModel(LlamaConfig config, NDManager manager, Map<String, NDArray> parameters,
            ObjectNode sourceConfigJson, Path sourceDirectory) {
        this.config = config;
        this.manager = manager;
        this.parameters = new LinkedHashMap<>(parameters);
        this.parameterView = Collections.unmodifiableMap(this.parameters);
        this.rotary = new RotaryEmbedding(config, manager);
        this.sourceConfigJson = sourceConfigJson;
        this.sourceDirectory = sourceDirectory;
    }

    /**
     * A model over the given parameters, which must be exactly the configuration's
     * {@link LlamaConfig#parameterSpecs()} (float32 — or float64 throughout, a model for checks in double
     * precision — on {@code manager}). The model takes ownership of
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
        // float32, or float64 throughout: a verification model (equality tests in double precision).
        DataType dtype = !parameters.isEmpty() && parameters.values().stream()
                .allMatch(p -> p.getDataType() == DataType.FLOAT64) ? DataType.FLOAT64 : DataType.FLOAT32;
        for (ParameterSpec spec : config.parameterSpecs()) {
            NDArray p = parameters.get(spec.name());
            if (p == null) {
                throw new DpoException("parameter " + spec.name() + " is missing (expected shape " + spec.shape() + ")");
            }
            if (!p.getShape().equals(spec.shape())) {
                throw new DpoException("parameter " + spec.name() + ": expected shape " + spec.shape() + ", found "
                        + p.getShape());
            }
            if (p.getDataType() != dtype) {
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
        return parameterView;
    }

    /**
     * What training updates: the adapter's arrays when one is attached (the base is frozen: no gradient
     * buffer and no optimizer state for it), every parameter otherwise.
     */
    public Map<String, NDArray> trainableParameters() {
        return adapter != null ? adapter.parameters() : parameterView;
    }

    /**
     * Attaches an adapter (replacing any other): its modules must be linear layers of this model.
     * Gradient recording is switched off for the base and on for the adapter.
     *
     * @throws DpoException naming a module this model does not have
     */
    public void attachAdapter(LinearAdapter value) {
        for (String module : value.modules()) {
            if (!parameters.containsKey(module + ".weight") || module.endsWith("embed_tokens")) {
                throw new DpoException("adapter module " + module + " is not a linear layer of this model");
            }
        }
        this.adapter = value;
        this.adapterEnabled = true;
        setTrainable(true);
    }

    /** Removes the adapter (the base stays frozen until {@link #setTrainable} says otherwise). */
    public void detachAdapter() {
        this.adapter = null;
        this.adapterEnabled = true;
    }

    /** The attached adapter, if any. */
    public Optional<LinearAdapter> adapter() {
        return Optional.ofNullable(adapter);
    }

    /**
     * Switches the adapter's terms on or off: off, the model computes exactly the base model (the LoRA
     * reference, with no second model in memory).
     */
    public void setAdapterEnabled(boolean enabled) {
        this.adapterEnabled = enabled;
    }

    /** True when an adapter is attached and switched on. */
    public boolean adapterActive() {
        return adapter != null && adapterEnabled;
    }

    /**
     * Holds the frozen decoder-layer weight matrices (the q/k/v/o/gate/up/down projections) in {@code dtype}
     * (FLOAT16 halves their memory; FLOAT32 restores full width), widened to float32 one layer at a time
     * when used. Embeddings, the lm_head, norms and biases stay float32. Only with an adapter attached:
     * the base must be frozen.
     *
     * @throws IllegalStateException without an adapter
     * @throws IllegalArgumentException for a dtype other than FLOAT16 or FLOAT32
     */
    public void holdFrozenWeightsAs(DataType dtype) {
        if (adapter == null) {
            throw new IllegalStateException("only a frozen base (an attached adapter) can be held in " + dtype);
        }
        if (dtype != DataType.FLOAT16 && dtype != DataType.FLOAT32) {
            throw new IllegalArgumentException("frozen weights can be held in FLOAT16 or FLOAT32, not " + dtype);
        }
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            String name = e.getKey();
            if (name.startsWith("model.layers.") && name.endsWith("_proj.weight") && e.getValue().getDataType() != dtype) {
                NDArray converted = e.getValue().toType(dtype, true);
                converted.attach(manager);
                e.getValue().close();
                e.setValue(converted);
            }
        }
    }

    /** Bytes the parameters take as held now (a FLOAT16 frozen base counts two bytes a value). */
    public long parameterBytes() {
        return parameters.values().stream().mapToLong(p -> p.size() * p.getDataType().getNumOfBytes()).sum();
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
        if (adapter == null) {
            parameters.values().forEach(p -> p.setRequiresGradient(trainable));
            return;
        }
        parameters.values().forEach(p -> {
            if (p.hasGradient()) {
                p.setRequiresGradient(false);
            }
        });
        adapter.parameters().values().forEach(p -> p.setRequiresGradient(trainable));
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
        return hiddenStates(inputIds, AttentionMask.padding(attentionMask), positionIds, cache);
    }

    /**
     * The final-normed hidden states {@code B×T×d} of a batch without cache under a general attention mask
     * (segments: packed sequences, shared prompts) and per-token positions.
     *
     * @param inputIds token ids {@code B×T} (int64)
     * @param mask which keys each query reads
     * @param positionIds {@code B×T} rotary positions of the tokens
     */
    public NDArray hiddenStates(NDArray inputIds, AttentionMask mask, NDArray positionIds) {
        return hiddenStates(inputIds, mask, positionIds, null);
    }

    private NDArray hiddenStates(NDArray inputIds, AttentionMask mask, NDArray positionIds, KvCache cache) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("inputIds must be B×T, got " + shape);
        }
        long batch = shape.get(0);
        long tokens = shape.get(1);
        int past = cache == null ? 0 : cache.length();
        if (!mask.isPadding() && cache != null) {
            throw new IllegalArgumentException("a segmented attention mask cannot continue from a cache");
        }
        if (!mask.shape().equals(new Shape(batch, past + tokens))) {
            throw new IllegalArgumentException("attentionMask must be " + batch + "×" + (past + tokens) + ", got "
                    + mask.shape());
        }
        if (!positionIds.getShape().equals(shape)) {
            throw new IllegalArgumentException("positionIds must be " + shape + ", got " + positionIds.getShape());
        }
        NDArray x = embed(inputIds);
        NDArray[] cosSin = rotary.cosSin(positionIds);
        NDArray maskBias = layerBias(mask.isPadding()
                ? attentionBias(inputIds.getManager(), mask.paddingMask(), (int) tokens, past) : mask.bias());
        NDManager parent = x.getManager();
        for (int layer = 0; layer < config.numLayers(); layer++) {
            // Each layer's intermediates live on a scope of their own, closed once the next layer has its
            // input: a no-grad pass holds the weights and about one layer's activations. Under autograd the
            // graph keeps what backward needs by its own references; the rest is freed here too.
            try (NDManager scope = parent.newSubManager()) {
                x.attach(scope);
                NDArray y = layer(x, layer, cosSin, maskBias, cache, false);
                y.attach(parent);
                x = y;
            }
        }
        if (cache != null) {
            cache.advance((int) tokens);
        }
        return finalNorm(x);
    }

    /**
     * A training forward pass: the final-normed hidden states, recorded for autograd, and what back-propagates
     * through the trunk once the loss's gradient has reached them. With {@code checkpoint}, only each decoder
     * layer's input is kept and the layer is recomputed in {@link TrunkPass#backward()} (activation
     * checkpointing); without, autograd keeps the whole graph and {@code backward()} has nothing left to do.
     * Call inside an open gradient collector, on inputs of a per-step manager.
     *
     * @param dropoutSeed seeds the adapter's dropout (the same seed gives the same masks, also when a layer is
     *     recomputed)
     */
    public TrunkPass trainingPass(NDArray inputIds, NDArray attentionMask, NDArray positionIds, boolean checkpoint,
            long dropoutSeed) {
        return trainingPass(inputIds, AttentionMask.padding(attentionMask), positionIds, checkpoint, dropoutSeed);
    }

    /**
     * As {@link #trainingPass(NDArray, NDArray, NDArray, boolean, long)} under a general attention mask (packed
     * sequences, shared prompts) and per-token positions.
     */
    public TrunkPass trainingPass(NDArray inputIds, AttentionMask mask, NDArray positionIds, boolean checkpoint,
            long dropoutSeed) {
        Shape shape = inputIds.getShape();
        if (shape.dimension() != 2 || !mask.shape().equals(shape) || !positionIds.getShape().equals(shape)) {
            throw new IllegalArgumentException("inputIds, attentionMask and positionIds must all be B×T, got " + shape
                    + ", " + mask.shape() + ", " + positionIds.getShape());
        }
        return new TrunkPass(this, inputIds, mask.bias(), positionIds, checkpoint, dropoutSeed);
    }

    /**
     * Chooses the attention's implementation: fused (libtorch's {@code scaled_dot_product_attention}, which never
     * materialises the scores and keeps no probabilities for backward; the default) or eager (scores, softmax
     * and the product as separate recorded operations: the reference path). Fused needs the engine to load its
     * one-operator TorchScript module; where it cannot, the model stays eager.
     */
    public void setFusedAttention(boolean fused) {
        this.fusedRequested = fused;
    }

    /** True when attention runs fused (requested and available in this engine). */
    public boolean fusedAttention() {
        return fusedRequested && FusedAttention.available();
    }

    /**
     * The additive bias {@code B×1×T×S} as the layers read it: in the parameters' dtype and, with grouped-query
     * attention, tiled to {@code B×1×(group·T)×S} — the rows of the {@code group} query heads that share a
     * key/value head (made once per pass, read by every layer).
     */
    NDArray layerBias(NDArray bias) {
        NDArray typed = bias.getDataType() == dtype() ? bias : bias.toType(dtype(), false);
        int group = config.groupSize();
        return group == 1 ? typed : typed.tile(new long[] {1, 1, group, 1});
    }

    private DataType dtype() {
        return parameter("model.embed_tokens.weight").getDataType();
    }

    /** The token embeddings {@code B×T×d}, on the ids' manager. */
    NDArray embed(NDArray inputIds) {
        NDArray ids = inputIds.getDataType() == DataType.INT64 ? inputIds : inputIds.toType(DataType.INT64, false);
        return ids.getNDArrayInternal()
                .embedding(ids, parameter("model.embed_tokens.weight"), SparseFormat.DENSE).singletonOrThrow();
    }

    /** The rotary cos and sin for these positions. */
    NDArray[] cosSin(NDArray positionIds) {
        return rotary.cosSin(positionIds);
    }

    /** The additive attention mask of a batch without cache. */
    static NDArray attentionBias(NDArray attentionMask) {
        return attentionBias(attentionMask.getManager(), attentionMask, (int) attentionMask.getShape().get(1), 0);
    }

    /** One decoder layer: {@code x += attn(rms(x)); x += mlp(rms(x))}, on x's manager. */
    NDArray layer(NDArray x, int layer, NDArray[] cosSin, NDArray maskBias, KvCache cache, boolean training) {
        String p = "model.layers." + layer + ".";
        NDArray h = rmsNorm(x, parameter(p + "input_layernorm.weight"));
        NDArray y = x.add(attention(h, p, layer, cosSin, maskBias, cache, training));
        h = rmsNorm(y, parameter(p + "post_attention_layernorm.weight"));
        return y.add(mlp(h, p, training));
    }

    /** The final RMSNorm. */
    NDArray finalNorm(NDArray x) {
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
            KvCache cache, boolean training) {
        long batch = h.getShape().get(0);
        long tokens = h.getShape().get(1);
        int heads = config.numHeads();
        int kvHeads = config.numKeyValueHeads();
        int headDim = config.headDim();
        int group = config.groupSize();
        String a = prefix + "self_attn.";
        NDArray q = project(h, a + "q_proj", training).reshape(batch, tokens, heads, headDim).transpose(0, 2, 1, 3);
        NDArray k = project(h, a + "k_proj", training).reshape(batch, tokens, kvHeads, headDim).transpose(0, 2, 1, 3);
        NDArray v = project(h, a + "v_proj", training).reshape(batch, tokens, kvHeads, headDim).transpose(0, 2, 1, 3);
        q = RotaryEmbedding.apply(q, cosSin[0], cosSin[1]);
        k = RotaryEmbedding.apply(k, cosSin[0], cosSin[1]);
        if (cache != null) {
            NDArray[] all = cache.append(layer, k, v);
            k = all[0];
            v = all[1];
        }
        long keys = k.getShape().get(2);
        // Grouped-query attention without copying keys: the query heads of one key/value head are
        // consecutive, so B×H×T×D reshapes to B×kvH×(group·T)×D and meets its key/value head directly; the
        // bias was tiled to group·T rows to match (layerBias).
        NDArray grouped = q.reshape(batch, kvHeads, group * tokens, headDim);
        NDArray attended;
        if (fusedAttention()) {
            attended = FusedAttention.apply(grouped, k, v, maskBias);
        } else {
            // The scale head_dim^-0.5 is applied to q (T·D values) rather than to the scores (T·S values).
            attended = Scalars.mul(grouped, 1.0 / Math.sqrt(headDim))
                    .matMul(k.transpose(0, 1, 3, 2))
                    .add(maskBias)
                    .softmax(-1)
                    .matMul(v);
        }
        NDArray context = attended
                .reshape(batch, heads, tokens, headDim)
                .transpose(0, 2, 1, 3)
                .reshape(batch, tokens, (long) heads * headDim);
        return project(context, a + "o_proj", training);
    }

    private NDArray mlp(NDArray h, String prefix, boolean training) {
        NDArray gate = project(h, prefix + "mlp.gate_proj", training);
        NDArray up = project(h, prefix + "mlp.up_proj", training);
        // Under autograd, only the two derivative factors are kept for backward (see SwiGlu).
        return project(SwiGlu.recorded(gate, up), prefix + "mlp.down_proj", training);
    }

    /**
     * {@code x · Wᵀ + b} (+ the adapter's term when one is active for this module) with {@code x} as the
     * first operand, so the result joins x's manager. A weight held in FLOAT16 is widened onto x's manager.
     */
    private NDArray project(NDArray x, String name, boolean training) {
        NDArray bias = parameters.get(name + ".bias");
        NDArray weight = parameter(name + ".weight");
        if (weight.getDataType() == DataType.FLOAT16) {
            weight = weight.toType(DataType.FLOAT32, true);
            weight.attach(x.getManager());
        }
        NDArray out = Linear.linear(x, weight, bias).singletonOrThrow();
        if (adapterActive() && adapter.modules().contains(name)) {
            // In place: the projection's output is fresh and nothing saved it for backward.
            NDArray delta = adapter.delta(name, x, training);
            out.addi(delta);
            delta.close();
        }
        return out;
    }

    /** True when the adapter draws random numbers in training (the recomputation must reseed). */
    boolean randomInTraining() {
        return adapterActive() && adapter.random();
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
