package io.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
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
 * State (m, v, t) lives on the optimizer's own manager, in float32 whatever the weights' dtype, and
 * can be saved and restored for resumable runs.
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

    /** Applies one update with learning rate {@code lr} to every parameter from its gradient. */
    public void update(Map<String, NDArray> parameters, double lr) {
        step++;
        double bias1 = 1 - Math.pow(beta1, step);
        double bias2 = 1 - Math.pow(beta2, step);
        for (Map.Entry<String, NDArray> e : parameters.entrySet()) {
            NDArray p = e.getValue();
            try (NDManager scratch = manager.newSubManager()) {
                NDArray g = p.getGradient();
                g.attach(scratch);
                NDArray mt = m.computeIfAbsent(e.getKey(), k -> manager.zeros(p.getShape(), p.getDataType()));
                NDArray vt = v.computeIfAbsent(e.getKey(), k -> manager.zeros(p.getShape(), p.getDataType()));
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
        }
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
