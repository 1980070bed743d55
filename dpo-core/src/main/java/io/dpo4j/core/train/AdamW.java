package io.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.dpo4j.core.model.ScriptedOperator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW with decoupled weight decay, exactly as {@code torch.optim.AdamW} (Loshchilov and Hutter
 * 2019), which DJL's Adam does not match (its epsilon sits elsewhere):
 *
 * <pre>
 * p ← p − lr·λ·p
 * m ← β1·m + (1−β1)·g        v ← β2·v + (1−β2)·g²
 * p ← p − lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε)
 * </pre>
 *
 * State (m, v, t) lives on the optimizer's own manager, in the parameter's dtype, and can be saved and
 * restored for resumable runs.
 *
 * <p>A float32 parameter is updated by libtorch's fused AdamW kernel ({@code torch._fused_adamw_}, the one
 * {@code torch.optim.AdamW(fused=True)} runs): one vectorised pass over p, g, m and v on every intra-op thread,
 * called through a {@link ScriptedOperator}. It computes the same update with its denominator written
 * {@code sqrt(v)/sqrt(1−β2^t) + ε}; the plain path below — in-place DJL operations, the reference the tests
 * compare it with — divides before the square root, so the two differ by float32 rounding only. The plain path
 * runs where the operator is unavailable, for other dtypes, and when {@link #setFused(boolean) chosen}.
 */
public final class AdamW implements AutoCloseable {

    private static final ai.djl.ndarray.index.NDIndex ALL = new ai.djl.ndarray.index.NDIndex("...");

    private final NDManager manager;
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, NDArray> m = new LinkedHashMap<>();
    private final Map<String, NDArray> v = new LinkedHashMap<>();
    private long step;
    private boolean fused = true;

    /**
     * libtorch's fused AdamW over the listed tensors with the given step and hyperparameters, autograd off; its
     * inputs: the step count (float32 scalar), {@code [lr, β1, β2, λ, ε]} (float64), then p, g, m, v; returns p (a
     * second handle, on the step count's manager).
     */
    private static final ScriptedOperator FUSED = ScriptedOperator.define("FusedAdamW",
            List.of("step: Tensor", "hyper: Tensor", "p: Tensor", "g: Tensor", "m: Tensor", "v: Tensor"), "Tensor",
            // The parameter list is named and its element returned: TorchScript's dead-code elimination drops an
            // in-place call on temporary lists whose result nothing reads (measured: nothing was updated).
            List.of("ps = [p]",
                    "torch._fused_adamw_(ps, [g], [m], [v], annotate(List[Tensor], []), [step], "
                    + "lr=float(hyper[0]), beta1=float(hyper[1]), beta2=float(hyper[2]), "
                    + "weight_decay=float(hyper[3]), eps=float(hyper[4]), amsgrad=False, maximize=False)",
                    "return ps[0]"));

    public AdamW(NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
        this.manager = parent.newSubManager();
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** Number of updates applied so far. */
    public long step() {
        return step;
    }

    /**
     * Chooses libtorch's fused kernel (the default, where available) or the plain in-place operations (the
     * reference path) for float32 parameters.
     */
    public void setFused(boolean fused) {
        this.fused = fused;
    }

    /** True when float32 parameters are updated by the fused kernel (chosen and available in this engine). */
    public boolean fused() {
        return fused && FUSED.available();
    }

    /**
     * Allocates, before a run's first step, what the first step would otherwise allocate: each parameter's gradient
     * buffer ({@link Gradients#allocate}, where autograd has made none yet) and the zero moments of every listed
     * parameter that has none. Then they sit beside the weights rather than in the holes the first step's freed
     * activations leave, and every step's activations reuse one region above them. The update's arithmetic is the
     * same either way (zero buffers, zero moments).
     */
    public void prepare(Map<String, NDArray> parameters) {
        Gradients.allocate(parameters, manager);
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = e.getValue();
            m.computeIfAbsent(e.getKey(), k -> zerosLike(p));
            v.computeIfAbsent(e.getKey(), k -> zerosLike(p));
        }
    }

    private NDArray zerosLike(NDArray p) {
        return manager.zeros(p.getShape(), p.getDataType());
    }

    /** Applies one update with learning rate {@code lr} to every parameter from its gradient. */
    public void update(Map<String, NDArray> parameters, double lr) {
        step++;
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2 = 1 - Math.pow(beta2, step);
        boolean useFused = fused();
        try (NDManager shared = manager.newSubManager()) {
            NDArray stepCount = shared.create((float) step);
            NDArray hyper = shared.create(new double[] {lr, beta1, beta2, weightDecay, eps});
            for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
                NDArray p = e.getValue();
                try (NDManager scratch = manager.newSubManager()) {
                    NDArray g = p.getGradient();
                    g.attach(scratch);
                    NDArray mt = m.computeIfAbsent(e.getKey(), k -> zerosLike(p));
                    NDArray vt = v.computeIfAbsent(e.getKey(), k -> zerosLike(p));
                    if (useFused && p.getDataType() == DataType.FLOAT32 && g.getDataType() == DataType.FLOAT32
                            && mt.getDataType() == DataType.FLOAT32 && vt.getDataType() == DataType.FLOAT32) {
                        FUSED.call(new NDList(stepCount, hyper, p, g, mt, vt), false).close();
                    } else {
                        plainUpdate(p, g, mt, vt, lr, bias1, bias2, scratch);
                    }
                }
            }
        }
    }

    /** The reference update of one parameter: in-place DJL operations through two scratch arrays. */
    private void plainUpdate(NDArray p, NDArray g, NDArray mt, NDArray vt, double lr, double bias1, double bias2,
            NDManager scratch) {
        if (weightDecay != 0) {
            p.muli(1 - lr * weightDecay);
        }
        // Outside autograd, in place, through two scratch arrays of the parameter's size (five fresh
        // ones per parameter and step made the allocator map and fault in gigabytes every step):
        // t = (1-β2)·g², v ← β2·v + t; t = (1-β1)·g, m ← β1·m + t; d = sqrt(v/(1-β2^t)) + ε;
        // t = m; p ← p − (t/d)·lr/(1-β1^t)
        NDArray t = g.square();
        t.attach(scratch);
        vt.muli(beta2).addi(t.muli(1 - beta2));
        t.set(ALL, g);
        mt.muli(beta1).addi(t.muli(1 - beta1));
        t.set(ALL, vt);
        NDArray d = t.divi(bias2).sqrt();
        d.attach(scratch);
        d.addi(eps);
        t.set(ALL, mt);
        p.subi(t.divi(d).muli(lr / bias1));
    }

    /** The state as named arrays ({@code NAME.exp_avg}, {@code NAME.exp_avg_sq}), for checkpoints. */
    public Map<String, NDArray> state() {
        Map<String, NDArray> out = new LinkedHashMap<>();
        m.forEach((k, a) -> out.put(k + ".exp_avg", a));
        v.forEach((k, a) -> out.put(k + ".exp_avg_sq", a));
        return out;
    }

    /** Restores the state saved by {@link #state()} and the step count. */
    public void restore(Map<String, NDArray> state, long steps) {
        m.values().forEach(NDArray::close);
        v.values().forEach(NDArray::close);
        m.clear();
        v.clear();
        for (Map.Entry<String, NDArray> e : state.entrySet()) {
            NDArray copy = e.getValue().duplicate();
            copy.attach(manager);
            String k = e.getKey();
            if (k.endsWith(".exp_avg")) {
                m.put(k.substring(0, k.length() - ".exp_avg".length()), copy);
            } else if (k.endsWith(".exp_avg_sq")) {
                v.put(k.substring(0, k.length() - ".exp_avg_sq".length()), copy);
            } else {
                copy.close();
                throw new IllegalArgumentException("unexpected optimizer state entry " + k);
            }
        }
        this.step = steps;
    }

    @Override
    public void close() {
        manager.close();
    }
}
