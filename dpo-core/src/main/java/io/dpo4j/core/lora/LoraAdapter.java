package io.dpo4j.core.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import io.dpo4j.api.math.Scalars;
import io.dpo4j.core.DpoException;
import io.dpo4j.core.model.LinearAdapter;
import io.dpo4j.core.model.LlamaModel;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * LoRA (Hu et al. 2021) on a {@link LlamaModel}'s linear layers: each target module gets {@code A}
 * ({@code r × in}) and {@code B} ({@code out × r}) and computes {@code W·x + scale · B·(A·dropout(x))}.
 * A fresh adapter has PEFT's initialisation: {@code A ~ U(−1/√in, 1/√in)} (Kaiming-uniform with
 * {@code a = √5}, as {@code nn.Linear}) and {@code B = 0}, so the adapted model starts equal to the base.
 *
 * <p>The arrays live on a child of the model's manager, named by PEFT's keys
 * ({@code base_model.model.model.layers.N.self_attn.q_proj.lora_A.weight}), which are also their names in
 * the optimizer state and in checkpoints. Attach with {@link LlamaModel#attachAdapter}.
 */
public final class LoraAdapter implements LinearAdapter, AutoCloseable {

    /** PEFT's prefix of every key in {@code adapter_model.safetensors} for a causal LM. */
    public static final String KEY_PREFIX = "base_model.model.";

    private final LoraSettings settings;
    private final NDManager manager;
    private final Map<String, NDArray> a;
    private final Map<String, NDArray> b;
    private final Map<String, NDArray> parameters;
    private final Set<String> modules;

    private LoraAdapter(LoraSettings settings, NDManager manager, Map<String, NDArray> a, Map<String, NDArray> b) {
        this.settings = settings;
        this.manager = manager;
        this.a = a;
        this.b = b;
        Map<String, NDArray> p = new LinkedHashMap<>();
        for (String module : a.keySet()) {
            p.put(key(module, "A"), a.get(module));
            p.put(key(module, "B"), b.get(module));
        }
        this.parameters = Collections.unmodifiableMap(p);
        this.modules = Collections.unmodifiableSet(new LinkedHashSet<>(a.keySet()));
    }

    /** PEFT's key of a module's {@code lora_A} or {@code lora_B} weight ({@code which} is "A" or "B"). */
    public static String key(String module, String which) {
        return KEY_PREFIX + module + ".lora_" + which + ".weight";
    }

    /**
     * The modules of {@code model} the settings target, in checkpoint order.
     *
     * @throws DpoException when they target nothing, or the lm_head or the embedding
     */
    public static List<String> targets(LlamaModel model, TargetModules targets) {
        List<String> out = new ArrayList<>();
        for (String name : model.parameters().keySet()) {
            if (!name.endsWith(".weight")) {
                continue;
            }
            String module = name.substring(0, name.length() - ".weight".length());
            boolean linear = module.startsWith("model.layers.") && module.endsWith("_proj");
            if (targets.matches(module)) {
                if (!linear) {
                    throw new DpoException("target_modules " + targets + " matches " + module + ", which LoRA here does "
                            + "not adapt (only the decoder layers' q/k/v/o/gate/up/down projections)");
                }
                out.add(module);
            }
        }
        if (out.isEmpty()) {
            throw new DpoException("target_modules " + targets + " matches no linear layer of this model (its layers "
                    + "have q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj)");
        }
        return out;
    }

    /** A fresh adapter (B = 0) on the targeted modules of {@code model}, deterministic for {@code seed}. */
    public static LoraAdapter create(LlamaModel model, LoraSettings settings, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        NDManager manager = model.manager().newSubManager();
        Map<String, NDArray> a = new LinkedHashMap<>();
        Map<String, NDArray> b = new LinkedHashMap<>();
        for (String module : targets(model, settings.targetModules())) {
            Shape w = model.parameter(module + ".weight").getShape();
            long out = w.get(0);
            long in = w.get(1);
            float[] values = new float[Math.toIntExact(settings.r() * in)];
            double bound = 1 / Math.sqrt(in);
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
            }
            a.put(module, manager.create(FloatBuffer.wrap(values), new Shape(settings.r(), in)));
            b.put(module, manager.zeros(new Shape(out, settings.r()), DataType.FLOAT32));
        }
        return new LoraAdapter(settings, manager, a, b);
    }

    /**
     * An adapter from given values (what a PEFT file holds), checked against the model's shapes.
     *
     * @param values by PEFT key ({@link #key}); exactly the A and B of every targeted module
     * @throws DpoException naming a missing, unexpected or wrongly shaped tensor
     */
    public static LoraAdapter of(LlamaModel model, LoraSettings settings, Map<String, float[]> values, String source) {
        List<String> targeted = targets(model, settings.targetModules());
        Set<String> expected = new LinkedHashSet<>();
        targeted.forEach(m -> {
            expected.add(key(m, "A"));
            expected.add(key(m, "B"));
        });
        for (String k : values.keySet()) {
            if (!expected.contains(k)) {
                throw new DpoException(source + ": tensor " + k + " is not an adapter weight of a module target_modules "
                        + settings.targetModules() + " selects in this model");
            }
        }
        NDManager manager = model.manager().newSubManager();
        try {
            Map<String, NDArray> a = new LinkedHashMap<>();
            Map<String, NDArray> b = new LinkedHashMap<>();
            for (String module : targeted) {
                Shape w = model.parameter(module + ".weight").getShape();
                a.put(module, array(manager, values, key(module, "A"), new Shape(settings.r(), w.get(1)), source));
                b.put(module, array(manager, values, key(module, "B"), new Shape(w.get(0), settings.r()), source));
            }
            return new LoraAdapter(settings, manager, a, b);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static NDArray array(NDManager manager, Map<String, float[]> values, String key, Shape shape,
            String source) {
        float[] v = values.get(key);
        if (v == null) {
            throw new DpoException(source + ": tensor " + key + " (shape " + shape + ") is missing");
        }
        if (v.length != shape.size()) {
            throw new DpoException(source + ": tensor " + key + ": expected shape " + shape + " (r and the model's "
                    + "layer sizes), found " + v.length + " values");
        }
        return manager.create(FloatBuffer.wrap(v), shape);
    }

    /** The hyperparameters. */
    public LoraSettings settings() {
        return settings;
    }

    @Override
    public Set<String> modules() {
        return modules;
    }

    /** A module's {@code lora_A} weight, {@code r × in}. */
    public NDArray a(String module) {
        return require(a, module);
    }

    /** A module's {@code lora_B} weight, {@code out × r}. */
    public NDArray b(String module) {
        return require(b, module);
    }

    private static NDArray require(Map<String, NDArray> map, String module) {
        NDArray x = map.get(module);
        if (x == null) {
            throw new IllegalArgumentException("no adapter on module " + module);
        }
        return x;
    }

    @Override
    public NDArray delta(String module, NDArray x, boolean training) {
        NDArray input = x;
        if (training && settings.dropout() > 0) {
            NDArray keep = x.getManager().randomUniform(0f, 1f, x.getShape()).gte(settings.dropout())
                    .toType(x.getDataType(), false);
            input = x.mul(Scalars.mul(keep, 1 / (1 - settings.dropout())));
        }
        NDArray low = Linear.linear(input, a(module)).singletonOrThrow();
        // The scale is applied to B (out × r, on the pass's manager: its first operand is low's constant)
        // rather than to the out-sized product: one out-sized array per adapted module, not two. Mid-sized
        // arrays made and freed per layer are what glibc's heap fragments on, so fewer of them is less
        // resident memory (measured: docs/models.md).
        NDArray scaledB = Scalars.constant(low, settings.scale()).mul(b(module));
        return Linear.linear(low, scaledB).singletonOrThrow();
    }

    @Override
    public boolean random() {
        return settings.dropout() > 0;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** The number of trainable values. */
    public long size() {
        return parameters.values().stream().mapToLong(NDArray::size).sum();
    }

    /**
     * Adds {@code scale · B·A} to each adapted weight of {@code model} (float32 weights, in place): the
     * merged model computes what the adapted one does, with no adapter. Detach the adapter first, or
     * the term counts twice.
     */
    public void mergeInto(LlamaModel model) {
        for (String module : modules) {
            NDArray w = model.parameter(module + ".weight");
            if (w.getDataType() != DataType.FLOAT32) {
                throw new IllegalStateException(module + ".weight is held in " + w.getDataType() + "; merge needs float32");
            }
            try (NDManager scratch = manager.newSubManager()) {
                NDArray ba = b(module).matMul(a(module));
                ba.attach(scratch);
                NDArray scaled = Scalars.mul(ba, settings.scale());
                scaled.attach(scratch);
                w.addi(scaled);
            }
        }
    }

    /** Frees the adapter's arrays. */
    @Override
    public void close() {
        manager.close();
    }
}
