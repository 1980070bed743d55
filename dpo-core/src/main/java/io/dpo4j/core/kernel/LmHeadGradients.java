package io.dpo4j.core.kernel;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * Where a training pass accumulates its gradients, and their one injection: ∂L/∂X for the N response
 * rows, and ∂L/∂W, ∂L/∂bias when those require gradient — written straight into their gradient buffers
 * on PyTorch ({@link LeafGradients}), else into V×d scratch that the surrogate carries. Shared by the
 * chunked (two-pass) and the single-pass kernels; everything lives in the pass's {@code work} manager.
 */
final class LmHeadGradients {

    private final LogProbInput input;
    private final GradientCollector collector;
    private final NDManager work;
    /** ∂L/∂X, N × d. */
    final NDArray dRows;
    /** ∂L/∂W (the live buffer or scratch), or null when W is frozen. */
    final NDArray dWeight;
    /** ∂L/∂bias (the live buffer or scratch), or null without a trainable bias. */
    final NDArray dBias;
    private final boolean weightBuffered;
    private final boolean biasBuffered;

    LmHeadGradients(LogProbInput input, int responseTokens, DataType dtype, GradientCollector collector,
            NDManager work) {
        this.input = input;
        this.collector = collector;
        this.work = work;
        boolean trainWeight = input.weight().hasGradient();
        boolean trainBias = input.bias().map(NDArray::hasGradient).orElse(false);
        this.dRows = work.zeros(new Shape(responseTokens, input.hiddenSize()), dtype);
        // W and the bias are leaves: add their share straight into their gradient buffers (what
        // autograd does with the surrogate's W term) and skip two V×d temporaries.
        NDArray weightBuffer = trainWeight ? LeafGradients.of(input.weight(), collector, work).orElse(null) : null;
        NDArray biasBuffer = trainBias
                ? LeafGradients.of(input.bias().orElseThrow(), collector, work).orElse(null) : null;
        this.weightBuffered = weightBuffer != null;
        this.biasBuffered = biasBuffer != null;
        this.dWeight = !trainWeight ? null
                : weightBuffer != null ? weightBuffer
                : work.zeros(new Shape(input.vocabularySize(), input.hiddenSize()), dtype);
        this.dBias = !trainBias ? null
                : biasBuffer != null ? biasBuffer : work.zeros(new Shape(input.vocabularySize()), dtype);
    }

    /**
     * Scatters ∂L/∂X to the B×T×d positions (zero elsewhere) and injects everything with one backward
     * of the surrogate {@code Σ H ⊙ dH (+ Σ W ⊙ dW + Σ bias ⊙ dBias)}, written as dot products so no
     * H- or W-sized product is materialised on the way.
     */
    void inject(NDArray positions) {
        int b = input.batchSize();
        int t = input.sequenceLength();
        NDArray dHidden = work.zeros(new Shape(b * (long) t, input.hiddenSize()), dRows.getDataType());
        dHidden.set(new NDIndex("{}", positions), dRows);
        NDArray surrogate = owned(input.hidden().reshape(-1)).matMul(dHidden.reshape(-1));
        if (dWeight != null && !weightBuffered) {
            surrogate = surrogate.add(owned(input.weight().reshape(-1)).matMul(dWeight.reshape(-1)));
        }
        if (dBias != null && !biasBuffered) {
            surrogate = surrogate.add(owned(input.bias().orElseThrow().reshape(-1)).matMul(dBias));
        }
        try {
            collector.backward(surrogate);
        } catch (EngineException e) {
            if (!String.valueOf(e.getMessage()).contains("does not require grad")) {
                throw e;
            }
            // A frozen trunk: fine when the lm_head took its gradient directly, an error otherwise.
            if (!weightBuffered && !biasBuffered) {
                throw new IllegalStateException("the log-prob kernel's backward found nothing to differentiate:"
                        + " neither the hidden states nor the lm_head weight or bias require gradient", e);
            }
        }
    }

    private NDArray owned(NDArray array) {
        array.attach(work);
        return array;
    }
}
