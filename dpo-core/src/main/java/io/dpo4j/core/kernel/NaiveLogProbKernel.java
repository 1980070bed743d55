package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;

/**
 * The reference kernel: the textbook computation over every position, differentiated by autograd.
 *
 * <pre>
 * Z    = H·Wᵀ + bias                      (B·T × V, all of it in memory)
 * logp = Σ_t mask ⊙ gather(logSoftmax(Z), labels)
 * </pre>
 *
 * In training mode the graph from H and W to {@code logp} is kept, and
 * {@link KernelForward#backward(NDArray)} back-propagates {@code Σ_b g[b]·logp(b)} through it. Its
 * memory grows with B·T·V (several copies of the logits during backward); use it to check
 * {@link ChunkedLogProbKernel}, not to train.
 */
public final class NaiveLogProbKernel implements LogProbKernel {

    @Override
    public String name() {
        return KernelType.NAIVE.id();
    }

    @Override
    public SequenceLogProbs statistics(LogProbInput input) {
        ResponseLayout layout = ResponseLayout.of(input);
        try (NDManager work = input.manager().newSubManager()) {
            Graph graph = build(input, layout, work, true);
            return graph.results(input, layout);
        }
    }

    @Override
    public KernelForward forward(LogProbInput input, GradientCollector collector) {
        ResponseLayout layout = ResponseLayout.of(input);
        NDManager work = input.manager().newSubManager();
        try {
            Graph graph = build(input, layout, work, false);
            return new Forward(graph.results(input, layout), graph.sequenceLogProbs, work, collector);
        } catch (RuntimeException e) {
            work.close();
            throw e;
        }
    }

    /** The per-sequence and per-token log-probs, still connected to H and W unless detached. */
    private record Graph(NDArray sequenceLogProbs, NDArray tokenLogProbs) {

        SequenceLogProbs results(LogProbInput input, ResponseLayout layout) {
            NDManager out = input.manager();
            NDArray sums = sequenceLogProbs.stopGradient().duplicate();
            sums.attach(out);
            NDArray tokens = null;
            if (input.wantsTokenLogProbs()) {
                tokens = tokenLogProbs.stopGradient().duplicate();
                tokens.attach(out);
            }
            return new SequenceLogProbs(sums, layout.countArray(out, sums.getDataType()), tokens);
        }
    }

    private static Graph build(LogProbInput input, ResponseLayout layout, NDManager work, boolean detached) {
        int b = layout.batchSize();
        int t = layout.sequenceLength();
        // Detached views make the statistics mode invisible to autograd even inside a collector.
        NDArray hidden = detached ? owned(input.hidden().stopGradient(), work) : input.hidden();
        NDArray weight = detached ? owned(input.weight().stopGradient(), work) : input.weight();
        NDArray bias = input.bias().map(x -> detached ? owned(x.stopGradient(), work) : x).orElse(null);
        DataType dtype = hidden.getDataType();
        NDArray flat = owned(hidden.reshape(b * (long) t, input.hiddenSize()), work);
        NDArray logits = Linear.linear(flat, weight, bias).singletonOrThrow();
        NDArray logSoftmax = logits.logSoftmax(1);
        NDArray labels = work.create(layout.labelsOrZero(), new Shape(b * (long) t, 1));
        NDArray mask = work.create(layout.maskValues(), new Shape(b, t)).toType(dtype, false);
        NDArray tokens = logSoftmax.gather(labels, 1).reshape(b, t).mul(mask);
        return new Graph(tokens.sum(new int[] {1}), tokens);
    }

    /** Moves {@code array}'s handle to {@code manager} (an op's result lands in its first input's manager). */
    private static NDArray owned(NDArray array, NDManager manager) {
        array.attach(manager);
        return array;
    }

    private static final class Forward implements KernelForward {
        private final SequenceLogProbs statistics;
        private final NDArray sequenceLogProbs;
        private final NDManager work;
        private final GradientCollector collector;
        private boolean done;

        Forward(SequenceLogProbs statistics, NDArray sequenceLogProbs, NDManager work, GradientCollector collector) {
            this.statistics = statistics;
            this.sequenceLogProbs = sequenceLogProbs;
            this.work = work;
            this.collector = collector;
        }

        @Override
        public SequenceLogProbs statistics() {
            return statistics;
        }

        @Override
        public void backward(NDArray sequenceGradient) {
            if (done) {
                throw new IllegalStateException("backward was already called or this pass was closed");
            }
            try {
                NDArray g = SequenceGradients.checkedSequenceGradient(sequenceGradient, sequenceLogProbs, work);
                collector.backward(sequenceLogProbs.mul(g).sum());
            } finally {
                close();
            }
        }

        @Override
        public void close() {
            done = true;
            work.close();
        }
    }
}
