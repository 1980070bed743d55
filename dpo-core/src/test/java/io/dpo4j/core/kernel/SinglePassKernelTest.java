package io.dpo4j.core.kernel;

import static io.dpo4j.core.kernel.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("The single-pass kernel agrees with the naive one, with the gradient known while the logits are in memory")
class SinglePassKernelTest {

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

    /** Every row its own group, and g fixed in advance (row-local: it ignores the log-probs). */
    private static EagerGradient fixed(float[] g) {
        return EagerGradient.rows(g.length, p -> p.getManager().create(g).toType(p.getDataType(), false));
    }

    record Run(float[] logProbs, float[] tokenLogProbs, float[] hidden, float[] weight, float[] bias, int eager) {
    }

    private static Run train(LogProbKernel kernel, KernelBatch batch, float[] g, EagerGradient eager) {
        try (NDManager m = root.newSubManager()) {
            KernelBatch.Arrays arrays = batch.on(m, true);
            KernelForward forward;
            try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                forward = kernel.forward(arrays.input(m), collector, eager);
                forward.backward(m.create(g));
            }
            NDArray bias = arrays.bias();
            return new Run(forward.statistics().logProbs().toFloatArray(),
                    forward.statistics().tokenLogProbs().orElseThrow().toFloatArray(),
                    arrays.hidden().getGradient().toFloatArray(), arrays.weight().getGradient().toFloatArray(),
                    bias == null ? null : bias.getGradient().toFloatArray(), forward.eagerSequences());
        }
    }

    private static float[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = (float) random.nextGaussian();
        }
        return g;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.dpo4j.core.kernel.KernelAgreementTest#cases")
    @DisplayName("training: statistics and gradients with respect to H, W and the bias match the naive kernel, every sequence in the single pass")
    void agreesWithNaive(String name, long budget, KernelBatch batch) {
        float[] g = gaussian(batch.batch(), name.hashCode());
        Run naive = train(new NaiveLogProbKernel(), batch, g, null);
        // One chunk for everything; one row per chunk; and chunks too small for any row but one-token ones.
        long perToken = (long) batch.vocabulary() * 4;
        for (long chunk : new long[] {SinglePassLogProbKernel.DEFAULT_CHUNK_BYTES, perToken * 9, perToken}) {
            Run single = train(new SinglePassLogProbKernel(budget, chunk), batch, g, fixed(g));
            String what = "chunk of " + chunk / perToken + " tokens: ";
            assertClose(what + "summed log-probs", single.logProbs(), naive.logProbs(), TOLERANCE);
            assertClose(what + "summed log-probs vs host", single.logProbs(), batch.hostLogProbs(), TOLERANCE);
            assertClose(what + "per-token log-probs", single.tokenLogProbs(), naive.tokenLogProbs(), TOLERANCE);
            assertClose(what + "dL/dH", single.hidden(), naive.hidden(), TOLERANCE);
            assertClose(what + "dL/dW", single.weight(), naive.weight(), TOLERANCE);
            if (batch.bias() != null) {
                assertClose(what + "dL/dbias", single.bias(), naive.bias(), TOLERANCE);
            }
            for (int p = 0; p < batch.mask().length; p++) {
                if (batch.mask()[p] == 0) {
                    for (int k = 0; k < batch.hidden(); k++) {
                        assertThat(single.hidden()[p * batch.hidden() + k]).as("dL/dH at masked position %d", p).isZero();
                    }
                }
            }
            if (chunk == SinglePassLogProbKernel.DEFAULT_CHUNK_BYTES) {
                assertThat(single.eager()).as("sequences in the single pass").isEqualTo(batch.batch());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.dpo4j.core.kernel.KernelAgreementTest#cases")
    @DisplayName("training twice: gradients accumulate across calls (∂W is added into W's existing gradient)")
    void accumulates(String name, long budget, KernelBatch batch) {
        float[] first = gaussian(batch.batch(), 7);
        float[] second = gaussian(batch.batch(), 8);
        Run naive = trainTwice(new NaiveLogProbKernel(), batch, first, second);
        Run single = trainTwice(new SinglePassLogProbKernel(budget, SinglePassLogProbKernel.DEFAULT_CHUNK_BYTES), batch,
                first, second);
        assertClose("accumulated dL/dH", single.hidden(), naive.hidden(), TOLERANCE);
        assertClose("accumulated dL/dW", single.weight(), naive.weight(), TOLERANCE);
        if (batch.bias() != null) {
            assertClose("accumulated dL/dbias", single.bias(), naive.bias(), TOLERANCE);
        }
    }

    private static Run trainTwice(LogProbKernel kernel, KernelBatch batch, float[] first, float[] second) {
        try (NDManager m = root.newSubManager()) {
            KernelBatch.Arrays arrays = batch.on(m, true);
            for (float[] g : new float[][] {first, second}) {
                try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                    kernel.forward(arrays.input(m), collector, fixed(g)).backward(m.create(g));
                }
            }
            NDArray bias = arrays.bias();
            return new Run(null, null, arrays.hidden().getGradient().toFloatArray(),
                    arrays.weight().getGradient().toFloatArray(), bias == null ? null : bias.getGradient().toFloatArray(),
                    0);
        }
    }

    @Test
    @DisplayName("pairs: each pair's gradient is asked for once its chosen and rejected rows are both scored")
    void pairsAreScoredTogether() {
        KernelBatch batch = KernelBatch.random(21, 8, 6, 23, true, new int[] {2, 6}, new int[] {0, 8}, new int[] {7, 1},
                new int[] {1, 3});
        float[] g = gaussian(4, 3);
        Run naive = train(new NaiveLogProbKernel(), batch, g, null);
        // A g for pair i that reads both of its rows: any placeholder left in would change it.
        float[] expected = naive.logProbs();
        EagerGradient pairs = EagerGradient.pairs(2, p -> {
            float[] lp = p.toFloatArray();
            for (int i = 0; i < lp.length; i++) {
                int partner = (i + 2) % 4;
                assertThat(Math.abs(lp[partner] - expected[partner]) < 1e-3 || Math.abs(lp[i] - expected[i]) > 1e-3)
                        .as("row %d scored without its pair partner %d", i, partner).isTrue();
            }
            return p.getManager().create(g);
        });
        long perToken = (long) batch.vocabulary() * 4;
        for (long chunk : new long[] {SinglePassLogProbKernel.DEFAULT_CHUNK_BYTES, perToken * 9}) {
            Run single = train(new SinglePassLogProbKernel(32L << 20, chunk), batch, g, pairs);
            assertClose("dL/dH", single.hidden(), naive.hidden(), TOLERANCE);
            assertClose("dL/dW", single.weight(), naive.weight(), TOLERANCE);
            // With 9-token chunks pair 1 (8 + 3 tokens) does not fit: scored alone, recomputed by backward.
            assertThat(single.eager()).isEqualTo(chunk == SinglePassLogProbKernel.DEFAULT_CHUNK_BYTES ? 4 : 2);
        }
    }

    @Test
    @DisplayName("a backward g that differs from the eager one is applied exactly: the differing rows are recomputed")
    void differingGradientIsRecomputed() {
        KernelBatch batch = KernelBatch.random(22, 8, 6, 23, true, new int[] {2, 6}, new int[] {0, 8}, new int[] {7, 1});
        float[] eager = {0.5f, -1f, 2f};
        float[] g = {0.5f, 1.5f, 2f};
        Run naive = train(new NaiveLogProbKernel(), batch, g, null);
        Run single = train(new SinglePassLogProbKernel(), batch, g, fixed(eager));
        assertClose("dL/dH", single.hidden(), naive.hidden(), TOLERANCE);
        assertClose("dL/dW", single.weight(), naive.weight(), TOLERANCE);
        assertClose("dL/dbias", single.bias(), naive.bias(), TOLERANCE);
        assertThat(single.eager()).as("rows 0 and 2 stood, row 1 was recomputed").isEqualTo(2);
    }

    @Test
    @DisplayName("the kernel by id; without an eager gradient it is the two-pass chunked kernel; a wrong group count is a programming error")
    void typeAndContract() {
        assertThat(KernelType.fromId("single_pass").create()).isInstanceOf(SinglePassLogProbKernel.class);
        assertThat(KernelType.SINGLE_PASS.create().name()).isEqualTo("single_pass");
        KernelBatch batch = KernelBatch.random(23, 8, 6, 23, false, new int[] {2, 6}, new int[] {0, 8});
        float[] g = {1f, -1f};
        Run two = train(new SinglePassLogProbKernel(), batch, g, null);
        Run chunked = train(new ChunkedLogProbKernel(), batch, g, null);
        assertThat(two.hidden()).containsExactly(chunked.hidden());
        assertThat(two.eager()).isZero();
        assertThatThrownBy(() -> train(new SinglePassLogProbKernel(), batch, g, fixed(new float[] {1f, 2f, 3f})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one group per sequence");
        assertThatThrownBy(() -> new SinglePassLogProbKernel(1L << 20, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the eager gradient must have one entry per sequence")
    void eagerGradientShape() {
        KernelBatch batch = KernelBatch.random(24, 8, 6, 23, false, new int[] {2, 6}, new int[] {0, 8});
        EagerGradient wrong = EagerGradient.rows(2, p -> p.getManager().ones(new Shape(3)));
        assertThatThrownBy(() -> train(new SinglePassLogProbKernel(), batch, new float[] {1f, 1f}, wrong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one entry per sequence");
    }
}
