package io.dpo4j.cli.step;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dpo4j.core.model.LlamaConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's float32 matrix-multiplication rate at a model's own shapes, measured in this process: the
 * forward products of one decoder layer (q, k, v, o, gate, up, down) and of the lm_head, each on a
 * {@code rows × hidden} input, timed best of a few, and weighted by how often a forward pass runs each
 * (every layer once, the lm_head once). This is the rate the 6·N·tokens FLOP bound is taken at.
 */
final class GemmRate {

    private static final int REPEATS = 3;

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

    /** Times each distinct product (best of a few) and returns the weighted rate. */
    static Result measure(LlamaConfig c, long rows) {
        List<Product> products = products(c, rows);
        double flops = 0;
        double seconds = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (Product p : products) {
                NDArray a = m.randomUniform(-1, 1, new Shape(p.m(), p.k()));
                NDArray b = m.randomUniform(-1, 1, new Shape(p.k(), p.n()));
                a.matMul(b).close(); // warm
                double best = Double.MAX_VALUE;
                for (int r = 0; r < REPEATS; r++) {
                    long t0 = System.nanoTime();
                    NDArray out = a.matMul(b);
                    out.toFloatArray(); // forces completion (the engine is synchronous; this is cheap next to the product)
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                    out.close();
                }
                a.close();
                b.close();
                flops += p.flops();
                seconds += best * p.times();
            }
        }
        return new Result(flops / seconds, products);
    }
}
