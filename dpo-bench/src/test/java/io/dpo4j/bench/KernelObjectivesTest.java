package io.dpo4j.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.core.kernel.ChunkedLogProbKernel;
import io.dpo4j.core.kernel.KernelForward;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.kernel.LogProbKernel;
import io.dpo4j.core.kernel.NaiveLogProbKernel;
import io.dpo4j.kto.KtoObjective;
import io.dpo4j.simpo.SimpoObjective;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The real SimPO and KTO objectives trained through the log-prob kernel: the two-pass training
 * step (kernel forward → objective on leaf statistics → g → kernel backward) must give the same loss
 * and the same gradients with respect to H, W and the bias as one autograd graph from H and W to the
 * loss, for the naive kernel and for the chunked one in several tiles.
 */
@DisplayName("SimPO and KTO train through the log-prob kernel with the gradients of one autograd graph")
class KernelObjectivesTest {

    private static final double TOLERANCE = 1e-4;
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

    /** A random batch on the host; fresh device copies per run so each run has its own gradients. */
    private record Batch(int rows, float[] hidden, float[] weight, float[] bias, long[] labels, float[] mask) {

        static Batch random(long seed, int[]... spans) {
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

        Device on(NDManager m) {
            NDArray h = m.create(hidden, new Shape(rows, LENGTH, HIDDEN));
            NDArray w = m.create(weight, new Shape(VOCABULARY, HIDDEN));
            NDArray b = m.create(bias, new Shape(VOCABULARY));
            h.setRequiresGradient(true);
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);
            return new Device(h, w, b, m.create(labels, new Shape(rows, LENGTH)), m.create(mask, new Shape(rows, LENGTH)));
        }
    }

    private record Device(NDArray hidden, NDArray weight, NDArray bias, NDArray labels, NDArray mask) {

        LogProbInput input(NDManager out) {
            return LogProbInput.of(out, hidden, weight, labels, mask).withBias(bias);
        }

        /** Graph-connected summed log-probs: full logits, log-softmax, gather, mask. */
        NDArray oneGraphLogProbs(NDManager m, Batch batch) {
            int rows = batch.rows();
            NDArray logits = Linear.linear(hidden.reshape(rows * LENGTH, HIDDEN), weight, bias).singletonOrThrow();
            long[] safe = batch.labels().clone();
            for (int i = 0; i < safe.length; i++) {
                safe[i] = Math.max(0, safe[i]);
            }
            return logits.logSoftmax(1).gather(m.create(safe, new Shape(rows * LENGTH, 1)), 1).reshape(rows, LENGTH)
                    .mul(mask).sum(new int[] {1});
        }
    }

    /** What a run produced. */
    private record Outcome(double loss, float[] hidden, float[] weight, float[] bias) {
        static Outcome of(double loss, Device d) {
            return new Outcome(loss, d.hidden().getGradient().toFloatArray(), d.weight().getGradient().toFloatArray(),
                    d.bias().getGradient().toFloatArray());
        }
    }

    /** Builds the objective's statistics from the policy log-probs (leaf or graph-connected) and token counts. */
    private interface StatisticsFactory {
        SequenceStatistics build(NDArray policy, NDArray tokenCounts, NDManager m, LogProbKernel kernel);
    }

    private static Outcome throughKernel(LogProbKernel kernel, Batch batch, ConfiguredObjective objective,
            StatisticsFactory factory) {
        try (NDManager m = root.newSubManager(); GradientCollector collector = m.getEngine().newGradientCollector()) {
            Device d = batch.on(m);
            KernelForward forward = kernel.forward(d.input(m), collector);
            NDArray leaf = forward.statistics().logProbs().duplicate();
            leaf.setRequiresGradient(true);
            ObjectiveResult result = objective.compute(factory.build(leaf, forward.statistics().tokenCounts(), m, kernel));
            collector.backward(result.loss());
            forward.backward(leaf.getGradient());
            return Outcome.of(result.lossValue(), d);
        }
    }

    private static Outcome oneGraph(Batch batch, ConfiguredObjective objective, StatisticsFactory factory) {
        try (NDManager m = root.newSubManager(); GradientCollector collector = m.getEngine().newGradientCollector()) {
            Device d = batch.on(m);
            NDArray counts = d.mask().sum(new int[] {1});
            ObjectiveResult result = objective.compute(factory.build(d.oneGraphLogProbs(m, batch), counts, m,
                    new NaiveLogProbKernel()));
            collector.backward(result.loss());
            return Outcome.of(result.lossValue(), d);
        }
    }

    private static void assertSame(Batch batch, ConfiguredObjective objective, StatisticsFactory factory) {
        Outcome reference = oneGraph(batch, objective, factory);
        assertThat(reference.loss()).isFinite().isPositive();
        for (LogProbKernel kernel : new LogProbKernel[] {new NaiveLogProbKernel(), new ChunkedLogProbKernel(),
                new ChunkedLogProbKernel(2L * 4 * 30)}) {
            Outcome outcome = throughKernel(kernel, batch, objective, factory);
            String name = kernel.name() + " (" + objective.id() + ")";
            assertThat(outcome.loss()).as(name + " loss").isCloseTo(reference.loss(), org.assertj.core.data.Offset.offset(1e-5));
            assertClose(name + " dL/dH", outcome.hidden(), reference.hidden());
            assertClose(name + " dL/dW", outcome.weight(), reference.weight());
            assertClose(name + " dL/dbias", outcome.bias(), reference.bias());
        }
    }

    private static void assertClose(String what, float[] actual, float[] expected) {
        double scale = 1e-6;
        double worst = 0;
        for (float e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs((double) actual[i] - expected[i]));
        }
        assertThat(worst / scale).as("%s: worst difference relative to max |expected| %.3g", what, scale)
                .isLessThanOrEqualTo(TOLERANCE);
    }

    @Test
    @DisplayName("SimPO with label smoothing and an SFT term, on pairs of very different lengths")
    void simpo() {
        ConfiguredObjective simpo = new SimpoObjective().configure(Map.of("beta", 2.0, "gamma", 0.5,
                "label_smoothing", 0.1, "sft_weight", 0.2));
        Batch batch = Batch.random(21, new int[] {2, 7}, new int[] {8, 1}, new int[] {0, 9}, new int[] {5, 3},
                new int[] {3, 2}, new int[] {1, 8});
        int pairs = batch.rows() / 2;
        assertSame(batch, simpo, (policy, counts, m, kernel) -> SequenceStatistics.paired()
                .put(Statistic.POLICY_CHOSEN, policy.get("0:" + pairs))
                .put(Statistic.POLICY_REJECTED, policy.get(pairs + ":"))
                .put(Statistic.CHOSEN_TOKENS, counts.get("0:" + pairs))
                .put(Statistic.REJECTED_TOKENS, counts.get(pairs + ":"))
                .build());
    }

    @Test
    @DisplayName("KTO with its KL reference point scored by the kernel's statistics mode inside the open collector")
    void kto() {
        ConfiguredObjective kto = new KtoObjective().configure(Map.of("beta", 0.3, "desirable_weight", 1.2));
        Batch batch = Batch.random(22, new int[] {2, 7}, new int[] {8, 1}, new int[] {0, 9}, new int[] {5, 3},
                new int[] {3, 2});
        Batch mismatched = Batch.random(23, new int[] {1, 5}, new int[] {4, 5}, new int[] {0, 2}, new int[] {6, 3},
                new int[] {2, 7});
        float[] reference = {-60f, -8f, -75f, -30f, -20f};
        float[] klReference = {-45f, -50f, -20f, -31f, -60f};
        float[] desirable = {1, 0, 1, 1, 0};
        assertSame(batch, kto, (policy, counts, m, kernel) -> {
            // The mismatched pairs' log-probs carry no gradient: the statistics mode, in the same collector.
            NDArray klPolicy = kernel.statistics(mismatched.on(m).input(m)).logProbs();
            return SequenceStatistics.unpaired()
                    .put(Statistic.POLICY, policy)
                    .put(Statistic.REFERENCE, m.create(reference))
                    .put(Statistic.DESIRABLE, m.create(desirable))
                    .put(Statistic.KL_POLICY, klPolicy)
                    .put(Statistic.KL_REFERENCE, m.create(klReference))
                    .build();
        });
    }
}
