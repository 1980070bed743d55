package io.dpo4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.Hyperparameters;
import io.dpo4j.api.ObjectiveRequirements;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.WeightedSum;
import io.dpo4j.core.kernel.ChunkedLogProbKernel;
import io.dpo4j.core.kernel.EagerGradient;
import io.dpo4j.core.kernel.KernelForward;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.kernel.NaiveLogProbKernel;
import io.dpo4j.core.kernel.SinglePassLogProbKernel;
import io.dpo4j.core.objective.DpoObjective;
import io.dpo4j.ipo.IpoObjective;
import io.dpo4j.kto.KtoObjective;
import io.dpo4j.orpo.OrpoObjective;
import io.dpo4j.simpo.SimpoObjective;
import io.dpo4j.zoo.bcopair.BcoPairObjective;
import io.dpo4j.zoo.cpo.CpoObjective;
import io.dpo4j.zoo.rdpo.RdpoObjective;
import io.dpo4j.zoo.sigmoidnorm.SigmoidNormObjective;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The single-pass kernel against the naive kernel (full logits, autograd) and the two-pass chunked
 * kernel, through the training step's flow with the real objectives: every built-in and four zoo
 * objectives, in float64 (to 1e-10) and float32 (to 1e-5), loss and gradients with respect to H, W and
 * the bias. The single-pass kernel runs with the whole batch in one chunk and with chunks so small that
 * some pairs are scored one by one and the largest do not fit at all (they take the two-pass path).
 */
@DisplayName("The single-pass kernel trains every row-local objective with the naive kernel's loss and gradients")
class SinglePassKernelObjectivesTest {

    private static final int LENGTH = 9;
    private static final int HIDDEN = 12;
    private static final int VOCABULARY = 41;

    private static NDManager root;

    @BeforeAll
    static void open() {
        root = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        root.close();
    }

    /** Pairs: rows [chosen 0..3; rejected 0..3]; pair 1 has 3 tokens, pair 2 has 17. */
    private static final int[][] PAIRED_SPANS = {{2, 7}, {8, 1}, {0, 9}, {5, 3}, {3, 2}, {1, 2}, {1, 8}, {0, 4}};
    private static final int[][] UNPAIRED_SPANS = {{2, 7}, {8, 1}, {0, 9}, {5, 3}, {3, 2}};

    static Stream<Arguments> objectives() {
        return Stream.of(
                Arguments.of(new DpoObjective().configureDefaults()),
                Arguments.of(new DpoObjective().configure(Map.of("beta", 0.5, "label_smoothing", 0.1,
                        "sft_weight", 0.3))),
                Arguments.of(new DpoObjective().configure(Map.of("reference_free", true))),
                Arguments.of(new IpoObjective().configureDefaults()),
                Arguments.of(new IpoObjective().configure(Map.of("length_normalized", false))),
                Arguments.of(new OrpoObjective().configure(Map.of("lambda", 0.5))),
                Arguments.of(new SimpoObjective().configure(Map.of("beta", 2.0, "gamma", 0.5, "label_smoothing", 0.1,
                        "sft_weight", 0.2))),
                Arguments.of(new KtoObjective().configure(Map.of("beta", 0.3, "desirable_weight", 1.2))),
                Arguments.of(new CpoObjective().configure(Map.of("cpo_alpha", 0.7))),
                Arguments.of(new RdpoObjective().configure(Map.of("alpha", 0.05))),
                Arguments.of(new SigmoidNormObjective().configureDefaults()),
                Arguments.of(WeightedSum.of(java.util.List.of(
                        new WeightedSum.Term(new DpoObjective().configureDefaults(), 1.0),
                        new WeightedSum.Term(new IpoObjective().configureDefaults(), 0.5)))));
    }

    /** A batch on the host; device copies per run, so each run has its own gradients. */
    private record Batch(int rows, float[] hidden, float[] weight, float[] bias, long[] labels, float[] mask) {

        static Batch random(long seed, int[][] spans) {
            Random random = new Random(seed);
            int rows = spans.length;
            float[] h = new float[rows * LENGTH * HIDDEN];
            float[] w = new float[VOCABULARY * HIDDEN];
            float[] b = new float[VOCABULARY];
            for (int i = 0; i < h.length; i++) {
                h[i] = (float) random.nextGaussian();
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (random.nextGaussian() * 0.5);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (random.nextGaussian() * 0.3);
            }
            long[] labels = new long[rows * LENGTH];
            float[] mask = new float[rows * LENGTH];
            java.util.Arrays.fill(labels, -100);
            for (int r = 0; r < rows; r++) {
                for (int t = spans[r][0]; t < spans[r][0] + spans[r][1]; t++) {
                    labels[r * LENGTH + t] = random.nextInt(VOCABULARY);
                    mask[r * LENGTH + t] = 1;
                }
            }
            return new Batch(rows, h, w, b, labels, mask);
        }

        Device on(NDManager m, DataType dtype, boolean trainable) {
            NDArray h = m.create(hidden, new Shape(rows, LENGTH, HIDDEN)).toType(dtype, false);
            NDArray w = m.create(weight, new Shape(VOCABULARY, HIDDEN)).toType(dtype, false);
            NDArray b = m.create(bias, new Shape(VOCABULARY)).toType(dtype, false);
            if (trainable) {
                h.setRequiresGradient(true);
                w.setRequiresGradient(true);
                b.setRequiresGradient(true);
            }
            return new Device(h, w, b, m.create(labels, new Shape(rows, LENGTH)),
                    m.create(mask, new Shape(rows, LENGTH)).toType(dtype, false));
        }
    }

    private record Device(NDArray hidden, NDArray weight, NDArray bias, NDArray labels, NDArray mask) {
        LogProbInput input(NDManager out) {
            return LogProbInput.of(out, hidden, weight, labels, mask).withBias(bias);
        }
    }

    /** What a run produced. */
    private record Outcome(double loss, double[] logProbs, double[] hidden, double[] weight, double[] bias,
            int eagerSequences) {
    }

    private static Batch batchFor(ConfiguredObjective objective) {
        return objective.requirements().layout() == DataLayout.PAIRED ? Batch.random(31, PAIRED_SPANS)
                : Batch.random(32, UNPAIRED_SPANS);
    }

    /** The trainer's statistics: policy log-probs (a leaf) and counts, references and KL pairs as constants. */
    private static SequenceStatistics statistics(ConfiguredObjective objective, NDArray policy, NDArray counts,
            NDArray klPolicy, NDManager m) {
        DataType type = policy.getDataType();
        int rows = (int) policy.size();
        if (objective.requirements().layout() == DataLayout.PAIRED) {
            int pairs = rows / 2;
            NDArray reference = m.create(new float[] {-20f, -4f, -30f, -9f, -8f, -5f, -25f, -12f}).toType(type, false);
            return SequenceStatistics.paired()
                    .put(Statistic.POLICY_CHOSEN, policy.get("0:" + pairs))
                    .put(Statistic.POLICY_REJECTED, policy.get(pairs + ":"))
                    .put(Statistic.CHOSEN_TOKENS, counts.get("0:" + pairs))
                    .put(Statistic.REJECTED_TOKENS, counts.get(pairs + ":"))
                    .put(Statistic.REFERENCE_CHOSEN, reference.get("0:" + pairs))
                    .put(Statistic.REFERENCE_REJECTED, reference.get(pairs + ":"))
                    .build();
        }
        return SequenceStatistics.unpaired()
                .put(Statistic.POLICY, policy)
                .put(Statistic.TOKENS, counts)
                .put(Statistic.REFERENCE, m.create(new float[] {-25f, -3f, -30f, -12f, -8f}).toType(type, false))
                .put(Statistic.DESIRABLE, m.create(new float[] {1, 0, 1, 1, 0}).toType(type, false))
                .put(Statistic.KL_POLICY, klPolicy)
                .put(Statistic.KL_REFERENCE, m.create(new float[] {-18f, -20f, -9f, -13f, -22f}).toType(type, false))
                .build();
    }

    /** The training step's flow: forward (single pass when the objective allows), objective on a leaf, backward. */
    private static Outcome train(LogProbKernel kernel, Batch batch, ConfiguredObjective objective, DataType dtype,
            boolean eager) {
        try (NDManager m = root.newSubManager(); GradientCollector collector = m.getEngine().newGradientCollector()) {
            Device d = batch.on(m, dtype, true);
            NDArray counts = d.mask().sum(new int[] {1});
            // KTO's KL pairs: scored without gradient (here: the same rows rolled by one).
            NDArray klPolicy = objective.requirements().needsMismatchedPairs()
                    ? kernel.statistics(batch.on(m, dtype, false).input(m)).logProbs().stopGradient() : null;
            if (klPolicy != null) {
                float[] rolled = klPolicy.toType(DataType.FLOAT32, false).toFloatArray();
                float[] shifted = new float[rolled.length];
                for (int i = 0; i < rolled.length; i++) {
                    shifted[i] = rolled[(i + 1) % rolled.length] * 0.9f;
                }
                klPolicy = m.create(shifted).toType(dtype, false);
            }
            NDArray kl = klPolicy;
            UnaryOperator<NDArray> gradient = p -> {
                NDArray leaf = p.duplicate();
                leaf.setRequiresGradient(true);
                collector.backward(objective.compute(statistics(objective, leaf, counts, kl, m)).loss());
                return leaf.getGradient();
            };
            EagerGradient eagerGradient = !eager || !objective.rowLocalGradient() ? null
                    : objective.requirements().layout() == DataLayout.PAIRED
                    ? EagerGradient.pairs(batch.rows() / 2, gradient) : EagerGradient.rows(batch.rows(), gradient);
            KernelForward forward = kernel.forward(d.input(m), collector, eagerGradient);
            NDArray leaf = forward.statistics().logProbs().duplicate();
            leaf.setRequiresGradient(true);
            ObjectiveResult result = objective.compute(statistics(objective, leaf, counts, kl, m));
            collector.backward(result.loss());
            forward.backward(leaf.getGradient());
            return new Outcome(result.lossValue(), doubles(forward.statistics().logProbs()),
                    doubles(d.hidden().getGradient()), doubles(d.weight().getGradient()), doubles(d.bias().getGradient()),
                    forward.eagerSequences());
        }
    }

    private static double[] doubles(NDArray a) {
        return io.dpo4j.api.math.ObjectiveMath.toDoubles(a);
    }

    private static LogProbKernel[] singlePassKernels(DataType dtype) {
        // Whole batch in one chunk; and chunks of 5 (float64) or 10 (float32) tokens in 2 × 3 × 5 slices.
        return new LogProbKernel[] {new SinglePassLogProbKernel(),
            new SinglePassLogProbKernel(2L * dtype.getNumOfBytes() * 15, (long) VOCABULARY * 4 * 10)};
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objectives")
    @DisplayName("float64: single-pass = naive = two-pass in loss, log-probs and ∂H, ∂W, ∂bias to 1e-10")
    void float64(ConfiguredObjective objective) {
        agree(objective, DataType.FLOAT64, 1e-10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("objectives")
    @DisplayName("float32: single-pass = naive = two-pass in loss, log-probs and ∂H, ∂W, ∂bias to 1e-5")
    void float32(ConfiguredObjective objective) {
        agree(objective, DataType.FLOAT32, 1e-5);
    }

    private static void agree(ConfiguredObjective objective, DataType dtype, double tolerance) {
        assertThat(objective.rowLocalGradient()).as(objective.id() + " declares a row-local gradient").isTrue();
        Batch batch = batchFor(objective);
        Outcome naive = train(new NaiveLogProbKernel(), batch, objective, dtype, false);
        Outcome twoPass = train(new ChunkedLogProbKernel(2L * dtype.getNumOfBytes() * 15), batch, objective, dtype,
                false);
        assertSame("two-pass chunked", twoPass, naive, tolerance);
        LogProbKernel[] kernels = singlePassKernels(dtype);
        for (int k = 0; k < kernels.length; k++) {
            Outcome single = train(kernels[k], batch, objective, dtype, true);
            assertSame("single-pass #" + k, single, naive, tolerance);
            assertSame("single-pass #" + k + " against two-pass", single, twoPass, tolerance);
            if (k == 0) {
                assertThat(single.eagerSequences()).as("sequences whose gradient came from the single pass")
                        .isEqualTo(batch.rows());
            } else {
                // Small chunks: paired, the 3-token pair is kept and the 17-token pair is too large and
                // recomputed; unpaired, every example (at most 9 tokens) fits in float32, not all in float64.
                assertThat(single.eagerSequences()).as("sequences whose gradient came from the single pass, small chunks")
                        .isPositive().isLessThanOrEqualTo(batch.rows());
                if (objective.requirements().layout() == DataLayout.PAIRED) {
                    assertThat(single.eagerSequences()).as("paired, small chunks").isLessThan(batch.rows());
                }
            }
        }
    }

    private static void assertSame(String what, Outcome actual, Outcome expected, double tolerance) {
        assertThat(Math.abs(actual.loss() - expected.loss()))
                .as("%s loss %s against %s", what, actual.loss(), expected.loss())
                .isLessThanOrEqualTo(tolerance * Math.max(1, Math.abs(expected.loss())));
        assertClose(what + " log-probs", actual.logProbs(), expected.logProbs(), tolerance);
        assertClose(what + " dL/dH", actual.hidden(), expected.hidden(), tolerance);
        assertClose(what + " dL/dW", actual.weight(), expected.weight(), tolerance);
        assertClose(what + " dL/dbias", actual.bias(), expected.bias(), tolerance);
    }

    private static void assertClose(String what, double[] actual, double[] expected, double tolerance) {
        assertThat(actual).as(what + " length").hasSameSizeAs(expected);
        double scale = 1e-12;
        double worst = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
        }
        assertThat(worst / scale).as("%s: worst difference relative to max |expected| %.3g", what, scale)
                .isLessThanOrEqualTo(tolerance);
    }

    @Test
    @DisplayName("a batch-coupled objective (bco_pair's reward shift) does not declare a row-local gradient and trains two-pass")
    void batchCoupledStaysTwoPass() {
        ConfiguredObjective bco = new BcoPairObjective().configureDefaults();
        assertThat(bco.requirements().batchCoupled()).isTrue();
        assertThat(bco.rowLocalGradient()).isFalse();
        Batch batch = batchFor(bco);
        Outcome naive = train(new NaiveLogProbKernel(), batch, bco, DataType.FLOAT64, false);
        Outcome single = train(new SinglePassLogProbKernel(), batch, bco, DataType.FLOAT64, true);
        assertSame("single-pass kernel, two-pass path", single, naive, 1e-10);
        assertThat(single.eagerSequences()).as("no eager gradient for a batch-coupled objective").isZero();
    }

    @Test
    @DisplayName("an objective that wrongly declares a row-local gradient still gets the exact gradient: backward recomputes the rows whose eager gradient was off")
    void wrongDeclarationIsCorrected() {
        ConfiguredObjective bco = new BcoPairObjective().configureDefaults();
        ConfiguredObjective lying = new ConfiguredObjective() {
            @Override
            public String id() {
                return "bco_pair (declared row-local by mistake)";
            }

            @Override
            public Hyperparameters parameters() {
                return bco.parameters();
            }

            @Override
            public ObjectiveRequirements requirements() {
                return new ObjectiveRequirements(DataLayout.PAIRED, bco.requirements().reads());
            }

            @Override
            public ObjectiveResult compute(SequenceStatistics statistics) {
                return bco.compute(statistics);
            }

            @Override
            public boolean rowLocalGradient() {
                return true;
            }
        };
        Batch batch = batchFor(bco);
        for (DataType dtype : new DataType[] {DataType.FLOAT64, DataType.FLOAT32}) {
            double tolerance = dtype == DataType.FLOAT64 ? 1e-10 : 1e-5;
            Outcome naive = train(new NaiveLogProbKernel(), batch, lying, dtype, false);
            LogProbKernel[] kernels = singlePassKernels(dtype);
            for (int k = 0; k < kernels.length; k++) {
                Outcome single = train(kernels[k], batch, lying, dtype, true);
                assertSame("mis-declared objective through the single-pass kernel (" + dtype + ")", single, naive,
                        tolerance);
                // One chunk for the whole batch sees no placeholder, so even δ is right; small chunks do not.
                if (k > 0) {
                    assertThat(single.eagerSequences()).as("rows whose eager gradient stood").isLessThan(batch.rows());
                }
            }
        }
    }
}
