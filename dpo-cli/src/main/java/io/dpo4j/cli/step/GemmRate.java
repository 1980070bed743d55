package io.dpo4j.cli.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpo4j.core.model.LlamaConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's float32 matrix-multiplication rate at a model's own shapes, measured in this process: the
 * products of one decoder layer (q, k, v, o, gate, up, down) and of the lm_head on a {@code rows × hidden}
 * input, each in the three forms a training step runs — forward {@code X·Wᵀ}, the input's gradient
 * {@code dY·W} and the weight's gradient {@code dYᵀ·X}, with the weight stored {@code out × in} as the
 * model stores it — timed best of a few, and weighted by how often a step runs each (every layer once, the
 * lm_head once, each form once). This is the rate the 6·N·tokens FLOP bound is taken at. The engine's CPU
 * products are synchronous, so the time of the call is the time of the product; nothing is copied out.
 */
final class GemmRate {

    private static final int REPEATS = 4;

    /** One product {@code (m × k) · (k × n)} occurring {@code times} per forward pass. */
    record Product(String name, long m, long k, long n, int times) {
        double flops() {
            return 2.0 * m * k * n * times;
        }
    }

    /**
     * @param flopsPerSecond the FLOP-weighted rate over the products
     * @param products what was timed
     */
    record Result(double flopsPerSecond, List<Product> products) {
    }

    private GemmRate() {
    }

    /** The products of a forward pass over {@code rows} tokens. */
    static List<Product> products(LlamaConfig c, long rows) {
        long d = c.hiddenSize();
        long q = (long) c.numHeads() * c.headDim();
        long kv = (long) c.numKeyValueHeads() * c.headDim();
        int l = c.numLayers();
        List<Product> p = new ArrayList<>();
        p.add(new Product("q_proj", rows, d, q, l));
        p.add(new Product("k_proj", rows, d, kv, l));
        p.add(new Product("v_proj", rows, d, kv, l));
        p.add(new Product("o_proj", rows, q, d, l));
        p.add(new Product("gate_proj", rows, d, c.intermediateSize(), l));
        p.add(new Product("up_proj", rows, d, c.intermediateSize(), l));
        p.add(new Product("down_proj", rows, c.intermediateSize(), d, l));
        p.add(new Product("lm_head", rows, d, c.vocabSize(), 1));
        return p;
    }

    /** Times each distinct product in its three forms (best of a few) and returns the weighted rate. */
    static Result measure(LlamaConfig c, long rows) {
        List<Product> products = products(c, rows);
        double flops = 0;
        double seconds = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (Product p : products) {
                NDArray x = m.randomUniform(-1, 1, new Shape(p.m(), p.k()));
                NDArray w = m.randomUniform(-1, 1, new Shape(p.n(), p.k()));
                NDArray dy = m.randomUniform(-1, 1, new Shape(p.m(), p.n()));
                NDArray wt = w.transpose();
                NDArray dyt = dy.transpose();
                double best = best(() -> x.matMul(wt)) + best(() -> dy.matMul(w)) + best(() -> dyt.matMul(x));
                wt.close();
                dyt.close();
                x.close();
                w.close();
                dy.close();
                flops += 3 * p.flops();
                seconds += best * p.times();
            }
        }
        return new Result(flops / seconds, products);
    }

    /** The best of a few timed calls, after one untimed. */
    private static double best(java.util.function.Supplier<NDArray> product) {
        product.get().close();
        double best = Double.MAX_VALUE;
        for (int r = 0; r < REPEATS; r++) {
            long t0 = System.nanoTime();
            NDArray out = product.get();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            out.close();
        }
        return best;
    }
}
