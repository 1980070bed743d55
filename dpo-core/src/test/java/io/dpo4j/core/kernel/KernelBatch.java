package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * A random batch for the kernel tests, held on the host so that each kernel gets fresh device
 * copies (and so fresh gradients). Positions outside the response get the label −100, as Hugging
 * Face's ignore index, to check that kernels never read them.
 */
record KernelBatch(int batch, int length, int hidden, int vocabulary, float[] states, float[] weight, float[] bias,
        long[] labels, float[] mask) {

    /**
     * @param spans {@code spans[b] = {start, count}}: row b's response occupies positions
     *     [start, start + count)
     */
    static KernelBatch random(long seed, int length, int hidden, int vocabulary, boolean withBias, int[]... spans) {
        Random random = new Random(seed);
        int batch = spans.length;
        float[] states = gaussian(random, batch * length * hidden, 1.0);
        float[] weight = gaussian(random, vocabulary * hidden, 1.0 / Math.sqrt(hidden) * 2);
        float[] bias = withBias ? gaussian(random, vocabulary, 0.5) : null;
        long[] labels = new long[batch * length];
        float[] mask = new float[batch * length];
        java.util.Arrays.fill(labels, -100);
        for (int b = 0; b < batch; b++) {
            for (int t = spans[b][0]; t < spans[b][0] + spans[b][1]; t++) {
                labels[b * length + t] = random.nextInt(vocabulary);
                mask[b * length + t] = 1;
            }
        }
        return new KernelBatch(batch, length, hidden, vocabulary, states, weight, bias, labels, mask);
    }

    private static float[] gaussian(Random random, int n, double scale) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (random.nextGaussian() * scale);
        }
        return values;
    }

    int responseTokens() {
        int n = 0;
        for (float m : mask) {
            n += m != 0 ? 1 : 0;
        }
        return n;
    }

    /** Device copies in {@code manager}; H, W and the bias require gradient when {@code trainable}. */
    Arrays on(NDManager manager, boolean trainable) {
        NDArray h = manager.create(states, new Shape(batch, length, hidden));
        NDArray w = manager.create(weight, new Shape(vocabulary, hidden));
        NDArray b = bias == null ? null : manager.create(bias, new Shape(vocabulary));
        if (trainable) {
            h.setRequiresGradient(true);
            w.setRequiresGradient(true);
            if (b != null) {
                b.setRequiresGradient(true);
            }
        }
        NDArray l = manager.create(labels, new Shape(batch, length));
        NDArray m = manager.create(mask, new Shape(batch, length));
        return new Arrays(h, w, b, l, m);
    }

    /** One batch's device arrays. */
    record Arrays(NDArray hidden, NDArray weight, NDArray bias, NDArray labels, NDArray mask) {

        LogProbInput input(NDManager out) {
            LogProbInput input = LogProbInput.of(out, hidden, weight, labels, mask).withTokenLogProbs();
            return bias == null ? input : input.withBias(bias);
        }
    }

    /**
     * The summed response log-probs, computed independently on the host in double precision:
     * {@code Σ_t mask · (z[label] − logsumexp(z))}, {@code z = W·h + bias}.
     */
    double[] hostLogProbs() {
        double[] sums = new double[batch];
        double[] z = new double[vocabulary];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < length; t++) {
                int p = b * length + t;
                if (mask[p] == 0) {
                    continue;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocabulary; v++) {
                    double acc = bias == null ? 0 : bias[v];
                    for (int k = 0; k < hidden; k++) {
                        acc += (double) weight[v * hidden + k] * states[p * hidden + k];
                    }
                    z[v] = acc;
                    max = Math.max(max, acc);
                }
                double sum = 0;
                for (int v = 0; v < vocabulary; v++) {
                    sum += Math.exp(z[v] - max);
                }
                sums[b] += z[(int) labels[p]] - (max + Math.log(sum));
            }
        }
        return sums;
    }
}
