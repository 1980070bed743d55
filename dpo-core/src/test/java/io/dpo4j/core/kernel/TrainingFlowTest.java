package io.dpo4j.core.kernel;

import static io.dpo4j.core.kernel.Close.assertClose;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.core.objective.DpoObjective;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The training step a trainer runs, end to end, with a tiny random trunk {@code H = tanh(E[ids]·A)}
 * and a trainable lm_head: trunk under a collector → kernel forward → DPO on leaf statistics →
 * {@code g} → kernel backward. The parameter gradients must equal those of one autograd graph
 * from the parameters to the DPO loss.
 */
@DisplayName("A trainer's step through the kernel gives the same parameter gradients as one autograd graph")
class TrainingFlowTest {

    private static final int PAIRS = 2;
    private static final int ROWS = 2 * PAIRS;
    private static final int LENGTH = 10;
    private static final int EMBED = 8;
    private static final int HIDDEN = 12;
    private static final int VOCABULARY = 31;

    private final Random random = new Random(42);
    private final float[] embedding = gaussian(VOCABULARY * EMBED, 1.0);
    private final float[] projection = gaussian(EMBED * HIDDEN, 0.5);
    private final float[] head = gaussian(VOCABULARY * HIDDEN, 0.6);
    private final long[] ids = new long[ROWS * LENGTH];
    private final long[] labels = new long[ROWS * LENGTH];
    private final float[] mask = new float[ROWS * LENGTH];
    private final float[] referenceChosen = {-20.5f, -14.0f};
    private final float[] referenceRejected = {-18.25f, -15.5f};
    private final ConfiguredObjective dpo = new DpoObjective().configure(Map.of("beta", 0.5, "sft_weight", 0.3));

    TrainingFlowTest() {
        int[] promptLengths = {3, 1, 5, 2};
        int[] responseLengths = {4, 9, 5, 1};
        for (int b = 0; b < ROWS; b++) {
            for (int t = 0; t < LENGTH; t++) {
                ids[b * LENGTH + t] = random.nextInt(VOCABULARY);
            }
            // Position t predicts token t + 1; the response tokens follow the prompt, then padding.
            for (int t = 0; t < LENGTH; t++) {
                boolean response = t + 1 >= promptLengths[b] && t + 1 < promptLengths[b] + responseLengths[b];
                labels[b * LENGTH + t] = response ? ids[b * LENGTH + t + 1] : -100;
                mask[b * LENGTH + t] = response ? 1 : 0;
            }
        }
    }

    private float[] gaussian(int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * scale);
        }
        return v;
    }

    /** The model's parameters, in a long-lived manager. */
    private record Parameters(NDArray embedding, NDArray projection, NDArray head) {
        float[][] gradients() {
            return new float[][] {embedding.getGradient().toFloatArray(), projection.getGradient().toFloatArray(),
                    head.getGradient().toFloatArray()};
        }
    }

    private Parameters parameters(NDManager model) {
        Parameters p = new Parameters(model.create(embedding, new Shape(VOCABULARY, EMBED)),
                model.create(projection, new Shape(EMBED, HIDDEN)), model.create(head, new Shape(VOCABULARY, HIDDEN)));
        p.embedding.setRequiresGradient(true);
        p.projection.setRequiresGradient(true);
        p.head.setRequiresGradient(true);
        return p;
    }

    /** The trunk, recorded by the open collector: H = tanh(E[ids]·A), (B, T, d). */
    private NDArray trunk(Parameters p, NDManager step) {
        NDArray looked = p.embedding.get(step, new NDIndex("{}", step.create(ids)));
        return looked.matMul(p.projection).tanh().reshape(ROWS, LENGTH, HIDDEN);
    }

    private SequenceStatistics pairs(NDArray policy, NDArray tokenCounts, NDManager step) {
        return SequenceStatistics.paired()
                .put(Statistic.POLICY_CHOSEN, policy.get("0:" + PAIRS))
                .put(Statistic.POLICY_REJECTED, policy.get(PAIRS + ":"))
                .put(Statistic.REFERENCE_CHOSEN, step.create(referenceChosen))
                .put(Statistic.REFERENCE_REJECTED, step.create(referenceRejected))
                .put(Statistic.CHOSEN_TOKENS, tokenCounts.get("0:" + PAIRS))
                .put(Statistic.REJECTED_TOKENS, tokenCounts.get(PAIRS + ":"))
                .build();
    }

    /** Steps (i)–(iv) of the kernel's training contract; returns the loss. */
    private double stepThroughKernel(LogProbKernel kernel, Parameters p, NDManager step) {
        try (GradientCollector collector = step.getEngine().newGradientCollector()) {
            NDArray hidden = trunk(p, step);                                                        // (i)
            LogProbInput input = LogProbInput.of(step, hidden, p.head, step.create(labels, new Shape(ROWS, LENGTH)),
                    step.create(mask, new Shape(ROWS, LENGTH)));
            KernelForward forward = kernel.forward(input, collector);                               // (ii)
            NDArray leaf = forward.statistics().logProbs().duplicate();                            // (iii)
            leaf.setRequiresGradient(true);
            ObjectiveResult result = dpo.compute(pairs(leaf, forward.statistics().tokenCounts(), step));
            collector.backward(result.loss());
            forward.backward(leaf.getGradient());                                                   // (iv)
            return result.lossValue();
        }
    }

    /** The same loss as one graph: full logits, log-softmax, gather, mask, DPO, one backward. */
    private double stepAsOneGraph(Parameters p, NDManager step) {
        try (GradientCollector collector = step.getEngine().newGradientCollector()) {
            NDArray hidden = trunk(p, step);
            NDArray logits = Linear.linear(hidden.reshape(ROWS * LENGTH, HIDDEN), p.head, null).singletonOrThrow();
            long[] safe = labels.clone();
            for (int i = 0; i < safe.length; i++) {
                safe[i] = Math.max(0, safe[i]);
            }
            NDArray masked = logits.logSoftmax(1).gather(step.create(safe, new Shape(ROWS * LENGTH, 1)), 1)
                    .reshape(ROWS, LENGTH).mul(step.create(mask, new Shape(ROWS, LENGTH)));
            NDArray counts = step.create(mask, new Shape(ROWS, LENGTH)).sum(new int[] {1});
            ObjectiveResult result = dpo.compute(pairs(masked.sum(new int[] {1}), counts, step));
            collector.backward(result.loss());
            return result.lossValue();
        }
    }

    @Test
    @DisplayName("chunked and naive kernels reproduce the one-graph loss and the gradients of E, A and W")
    void sameGradients() {
        try (NDManager root = NDManager.newBaseManager()) {
            float[][] reference;
            double referenceLoss;
            try (NDManager model = root.newSubManager(); NDManager step = root.newSubManager()) {
                Parameters p = parameters(model);
                referenceLoss = stepAsOneGraph(p, step);
                reference = p.gradients();
            }
            for (LogProbKernel kernel : new LogProbKernel[] {new NaiveLogProbKernel(), new ChunkedLogProbKernel(),
                    new ChunkedLogProbKernel(2L * 4 * 20)}) {
                try (NDManager model = root.newSubManager(); NDManager step = root.newSubManager()) {
                    Parameters p = parameters(model);
                    double loss = stepThroughKernel(kernel, p, step);
                    float[][] gradients = p.gradients();
                    assertThat(loss).as(kernel.name() + " loss").isCloseTo(referenceLoss, org.assertj.core.data.Offset.offset(1e-5));
                    assertClose(kernel.name() + " dL/dE", gradients[0], reference[0], 1e-4);
                    assertClose(kernel.name() + " dL/dA", gradients[1], reference[1], 1e-4);
                    assertClose(kernel.name() + " dL/dW", gradients[2], reference[2], 1e-4);
                }
            }
            assertThat(referenceLoss).isPositive();
        }
    }
}
