package io.dpo4j.core.kernel;

import static io.dpo4j.core.kernel.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("The chunked kernel agrees with the naive one in value and gradient")
class KernelAgreementTest {

    private static final double TOLERANCE = 1e-4;
    private static NDManager root;

    @BeforeAll
    static void open() {
        root = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        root.close();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("one-token responses", 32L << 20,
                        KernelBatch.random(1, 7, 16, 40, false, new int[] {6, 1}, new int[] {0, 1}, new int[] {3, 1})),
                Arguments.of("responses at the very end of the sequence", 32L << 20,
                        KernelBatch.random(2, 9, 16, 40, false, new int[] {5, 4}, new int[] {8, 1}, new int[] {0, 9})),
                Arguments.of("very different lengths, padded", 32L << 20,
                        KernelBatch.random(3, 40, 12, 30, false, new int[] {1, 2}, new int[] {3, 37}, new int[] {20, 5},
                                new int[] {0, 1})),
                Arguments.of("V = 53 is not a multiple of the 4-row vocabulary slice", 2L * 4 * 8,
                        KernelBatch.random(4, 6, 8, 53, false, new int[] {2, 4}, new int[] {1, 5})),
                Arguments.of("N = 11 is not a multiple of the 3-token chunk, V = 29 not of the 3-row slice", 2L * 4 * 9,
                        KernelBatch.random(5, 8, 8, 29, false, new int[] {2, 6}, new int[] {3, 5})),
                Arguments.of("one tile larger than the whole batch", 1L << 30,
                        KernelBatch.random(6, 10, 16, 64, false, new int[] {4, 6}, new int[] {2, 8})),
                Arguments.of("a budget so small that every tile is 1 token × 1 vocabulary row", 8L,
                        KernelBatch.random(7, 5, 6, 13, false, new int[] {1, 4}, new int[] {2, 2}, new int[] {0, 5})),
                Arguments.of("an lm_head with bias, in 3 × 4 tiles", 2L * 4 * 12,
                        KernelBatch.random(8, 8, 10, 37, true, new int[] {3, 5}, new int[] {0, 8}, new int[] {7, 1})),
                Arguments.of("a larger batch with prompts, V = 1000, in 64 × 64 tiles", 2L * 4 * 4096,
                        KernelBatch.random(9, 48, 32, 1000, true, new int[] {10, 38}, new int[] {30, 18}, new int[] {2, 46},
                                new int[] {47, 1})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("statistics: summed log-probs, token counts and per-token log-probs match the naive kernel and a float64 host computation")
    void statisticsAgree(String name, long budget, KernelBatch batch) {
        try (NDManager m = root.newSubManager()) {
            KernelBatch.Arrays arrays = batch.on(m, false);
            SequenceLogProbs naive = new NaiveLogProbKernel().statistics(arrays.input(m));
            SequenceLogProbs chunked = new ChunkedLogProbKernel(budget).statistics(arrays.input(m));

            assertClose("summed log-probs vs host", chunked.logProbs().toFloatArray(), batch.hostLogProbs(), TOLERANCE);
            assertClose("naive summed log-probs vs host", naive.logProbs().toFloatArray(), batch.hostLogProbs(), TOLERANCE);
            assertClose("summed log-probs", chunked.logProbs().toFloatArray(), naive.logProbs().toFloatArray(), TOLERANCE);
            assertThat(chunked.tokenCounts().toFloatArray()).containsExactly(naive.tokenCounts().toFloatArray());
            assertClose("per-token log-probs", chunked.tokenLogProbs().orElseThrow().toFloatArray(),
                    naive.tokenLogProbs().orElseThrow().toFloatArray(), TOLERANCE);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("training: gradients with respect to H, W and the bias match the naive kernel's autograd")
    void gradientsAgree(String name, long budget, KernelBatch batch) {
        float[] g = sequenceGradient(batch.batch(), name.hashCode());
        Gradients naive = train(new NaiveLogProbKernel(), batch, g);
        Gradients chunked = train(new ChunkedLogProbKernel(budget), batch, g);

        assertClose("training-mode statistics", chunked.logProbs, naive.logProbs, TOLERANCE);
        assertClose("dL/dH", chunked.hidden, naive.hidden, TOLERANCE);
        assertClose("dL/dW", chunked.weight, naive.weight, TOLERANCE);
        if (batch.bias() != null) {
            assertClose("dL/dbias", chunked.bias, naive.bias, TOLERANCE);
        }
        // Prompt and padding positions get exactly no gradient.
        for (int p = 0; p < batch.mask().length; p++) {
            if (batch.mask()[p] == 0) {
                for (int k = 0; k < batch.hidden(); k++) {
                    assertThat(chunked.hidden[p * batch.hidden() + k]).as("dL/dH at masked position %d", p).isZero();
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @DisplayName("training twice: gradients accumulate across calls as autograd's do (the second call adds into W's existing gradient)")
    void gradientsAccumulate(String name, long budget, KernelBatch batch) {
        float[] first = sequenceGradient(batch.batch(), 7);
        float[] second = sequenceGradient(batch.batch(), 8);
        Gradients naive = trainTwice(new NaiveLogProbKernel(), batch, first, second);
        Gradients chunked = trainTwice(new ChunkedLogProbKernel(budget), batch, first, second);
        assertClose("accumulated dL/dH", chunked.hidden, naive.hidden, TOLERANCE);
        assertClose("accumulated dL/dW", chunked.weight, naive.weight, TOLERANCE);
        if (batch.bias() != null) {
            assertClose("accumulated dL/dbias", chunked.bias, naive.bias, TOLERANCE);
        }
        Gradients once = train(new ChunkedLogProbKernel(budget), batch, first);
        assertThat(chunked.weight).as("the second call changed W's gradient").isNotEqualTo(once.weight);
    }

    static Gradients trainTwice(LogProbKernel kernel, KernelBatch batch, float[] first, float[] second) {
        try (NDManager m = root.newSubManager()) {
            KernelBatch.Arrays arrays = batch.on(m, true);
            for (float[] g : new float[][] {first, second}) {
                try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                    kernel.forward(arrays.input(m), collector).backward(m.create(g));
                }
            }
            NDArray bias = arrays.bias();
            return new Gradients(null, arrays.hidden().getGradient().toFloatArray(),
                    arrays.weight().getGradient().toFloatArray(), bias == null ? null : bias.getGradient().toFloatArray());
        }
    }

    private static float[] sequenceGradient(int n, long seed) {
        Random random = new Random(seed);
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) random.nextGaussian();
        }
        return g;
    }

    /** Gradients after one training-mode call with the given g. */
    record Gradients(float[] logProbs, float[] hidden, float[] weight, float[] bias) {
    }

    static Gradients train(LogProbKernel kernel, KernelBatch batch, float[] g) {
        try (NDManager m = root.newSubManager()) {
            KernelBatch.Arrays arrays = batch.on(m, true);
            float[] logProbs;
            try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                KernelForward forward = kernel.forward(arrays.input(m), collector);
                logProbs = forward.statistics().logProbs().toFloatArray();
                forward.backward(m.create(g));
            }
            NDArray bias = arrays.bias();
            return new Gradients(logProbs, arrays.hidden().getGradient().toFloatArray(),
                    arrays.weight().getGradient().toFloatArray(), bias == null ? null : bias.getGradient().toFloatArray());
        }
    }
}
