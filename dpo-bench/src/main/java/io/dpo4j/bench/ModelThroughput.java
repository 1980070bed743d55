package io.dpo4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.dpo4j.core.model.LlamaConfig;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.TinyModels;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A benchmark (not a test) of the decoder's training throughput on this machine: forward + backward
 * tokens per second of a SmolLM2-135M-shaped model (hidden 576, intermediate 1536, 30 layers, 9 heads,
 * 3 key/value heads, vocabulary 49152, tied embeddings; random weights) on a batch of 2 × 256 tokens,
 * next to the bare float32 GEMM rate measured in the same process, and the implied model FLOP
 * utilisation (model FLOPs ≈ 6 · parameters · tokens for forward + backward).
 *
 * <p>Run after {@code mvn install -DskipTests} (or any {@code ./dpo} call, which builds the distribution):
 * <pre>
 * java -cp 'dpo-bench/target/dpo-bench.jar:dpo-bench/target/lib/*' io.dpo4j.bench.ModelThroughput [steps] [batch] [tokens]
 * </pre>
 * Defaults: 3 timed steps after 1 warm-up step, batch 2, 256 tokens. The loss is the mean next-token
 * log-likelihood through full logits (the naive path), so the lm_head is part of the measurement.
 */
public final class ModelThroughput {

    private static final int GEMM_SIZE = 2048;
    private static final int GEMM_REPEATS = 5;

    private ModelThroughput() {
    }

    /** The SmolLM2-135M architecture. */
    static LlamaConfig smolLm2Shape() {
        return LlamaConfig.builder().vocabSize(49152).hiddenSize(576).intermediateSize(1536).numLayers(30)
                .numHeads(9).numKeyValueHeads(3).ropeTheta(100000).rmsNormEps(1e-5).maxPositionEmbeddings(8192)
                .tieWordEmbeddings(true).tokenIds(0, List.of(0), null).build();
    }

    /** {@code ModelThroughput [steps] [batch] [tokens]}. */
    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int tokens = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        LlamaConfig config = smolLm2Shape();
        long parameters = config.parameterCount();
        System.out.printf(Locale.ROOT, "machine: %d processors visible to the JVM, Java %s, %s %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Engine.getInstance().getEngineName(), Engine.getInstance().getVersion());

        double gemmFlops = gemmRate();
        System.out.printf(Locale.ROOT, "float32 GEMM %d×%d×%d: %.1f GFLOP/s (best of %d)%n", GEMM_SIZE, GEMM_SIZE,
                GEMM_SIZE, gemmFlops / 1e9, GEMM_REPEATS);

        long initStart = System.nanoTime();
        try (LlamaModel model = TinyModels.randomInit(config, 0)) {
            System.out.printf(Locale.ROOT, "model: SmolLM2-135M shape, %,d parameters, random init in %.1f s%n",
                    parameters, (System.nanoTime() - initStart) / 1e9);
            model.setTrainable(true);
            long[] ids = new SplittableRandom(1).longs((long) batch * tokens, 0, config.vocabSize()).toArray();
            double[] seconds = new double[steps];
            for (int step = -1; step < steps; step++) {
                double s = trainingStep(model, ids, batch, tokens);
                if (step >= 0) {
                    seconds[step] = s;
                }
                System.out.printf(Locale.ROOT, "  %s step: %.2f s%n", step < 0 ? "warm-up" : "timed", s);
            }
            double mean = Arrays.stream(seconds).average().orElse(Double.NaN);
            double tokensPerSecond = batch * tokens / mean;
            double modelFlops = 6.0 * parameters * tokensPerSecond;
            System.out.printf(Locale.ROOT, "forward+backward, batch %d × %d tokens: %.2f s/step, %.0f tokens/s%n",
                    batch, tokens, mean, tokensPerSecond);
            System.out.printf(Locale.ROOT, "model FLOP rate (6 · params · tokens/s): %.1f GFLOP/s = %.0f%% of the "
                    + "measured GEMM rate%n", modelFlops / 1e9, 100 * modelFlops / gemmFlops);
        }
    }

    /** Seconds for one forward + backward pass of the mean next-token log-likelihood. */
    private static double trainingStep(LlamaModel model, long[] ids, int batch, int tokens) {
        try (NDManager step = model.manager().newSubManager()) {
            NDArray input = step.create(ids, new Shape(batch, tokens));
            NDArray mask = step.ones(new Shape(batch, tokens), DataType.INT64);
            NDArray positions = step.arange(0, tokens, 1, DataType.INT64).reshape(1, tokens).repeat(0, batch);
            NDArray labels = step.create(shiftLeft(ids, batch, tokens), new Shape(batch, tokens, 1));
            long start = System.nanoTime();
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = model.logits(input, mask, positions);
                NDArray loss = logits.logSoftmax(-1).gather(labels, -1).mean().neg();
                collector.backward(loss);
            }
            return (System.nanoTime() - start) / 1e9;
        }
    }

    private static long[] shiftLeft(long[] ids, int batch, int tokens) {
        long[] labels = new long[ids.length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                labels[b * tokens + t] = t + 1 < tokens ? ids[b * tokens + t + 1] : 0;
            }
        }
        return labels;
    }

    /** The best float32 matrix-multiplication rate of a few square products, in FLOP/s. */
    private static double gemmRate() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomUniform(-1, 1, new Shape(GEMM_SIZE, GEMM_SIZE));
            NDArray b = manager.randomUniform(-1, 1, new Shape(GEMM_SIZE, GEMM_SIZE));
            a.matMul(b).close();
            double best = Double.POSITIVE_INFINITY;
            for (int i = 0; i < GEMM_REPEATS; i++) {
                long start = System.nanoTime();
                NDArray c = a.matMul(b);
                c.getFloat(0, 0); // wait for the result
                best = Math.min(best, (System.nanoTime() - start) / 1e9);
                c.close();
            }
            return 2.0 * GEMM_SIZE * GEMM_SIZE * GEMM_SIZE / best;
        }
    }
}
