package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;
import java.util.Optional;

/**
 * One batch for a {@link LogProbKernel}: shapes are checked here, contents (empty responses, labels
 * outside the vocabulary) by the kernel.
 *
 * <ul>
 *   <li>{@code hidden} H, {@code (B, T, d)}: the trunk's final-normed output, float32 or float64;
 *   <li>{@code weight} W, {@code (V, d)}: the lm_head (or the tied embedding), same dtype;
 *   <li>{@code bias}, {@code (V)}, optional;
 *   <li>{@code labels}, {@code (B, T)}, int64 or int32: {@code labels[b,t]} is the token that position
 *       {@code t} predicts (any value where the mask is 0);
 *   <li>{@code responseMask}, {@code (B, T)}, any numeric or boolean type: non-zero where position
 *       {@code t} predicts a response token;
 *   <li>{@code manager}: where results are attached, typically the training step's sub-manager. The
 *       kernel's scratch lives in sub-managers of it, so closing it releases everything.
 * </ul>
 */
public final class LogProbInput {

    private final NDManager manager;
    private final NDArray hidden;
    private final NDArray weight;
    private final NDArray bias;
    private final NDArray labels;
    private final NDArray responseMask;
    private final boolean tokenLogProbs;

    private LogProbInput(NDManager manager, NDArray hidden, NDArray weight, NDArray bias, NDArray labels,
            NDArray responseMask, boolean tokenLogProbs) {
        this.manager = Objects.requireNonNull(manager, "manager");
        this.hidden = Objects.requireNonNull(hidden, "hidden");
        this.weight = Objects.requireNonNull(weight, "weight");
        this.bias = bias;
        this.labels = Objects.requireNonNull(labels, "labels");
        this.responseMask = Objects.requireNonNull(responseMask, "responseMask");
        this.tokenLogProbs = tokenLogProbs;
        validateShapes();
    }

    /**
     * A batch without lm_head bias and without per-token output.
     *
     * @throws IllegalArgumentException when shapes or dtypes do not fit together
     */
    public static LogProbInput of(NDManager manager, NDArray hidden, NDArray weight, NDArray labels,
            NDArray responseMask) {
        return new LogProbInput(manager, hidden, weight, null, labels, responseMask, false);
    }

    /** This batch with an lm_head bias of shape {@code (V)}. */
    public LogProbInput withBias(NDArray bias) {
        return new LogProbInput(manager, hidden, weight, Objects.requireNonNull(bias, "bias"), labels,
                responseMask, tokenLogProbs);
    }

    /** This batch, also asking for per-token log-probs ({@link SequenceLogProbs#tokenLogProbs()}). */
    public LogProbInput withTokenLogProbs() {
        return new LogProbInput(manager, hidden, weight, bias, labels, responseMask, true);
    }

    /** Where results are attached. */
    public NDManager manager() {
        return manager;
    }

    /** H, {@code (B, T, d)}. */
    public NDArray hidden() {
        return hidden;
    }

    /** W, {@code (V, d)}. */
    public NDArray weight() {
        return weight;
    }

    /** The lm_head bias, {@code (V)}, if any. */
    public Optional<NDArray> bias() {
        return Optional.ofNullable(bias);
    }

    /** Labels, {@code (B, T)}. */
    public NDArray labels() {
        return labels;
    }

    /** Response mask, {@code (B, T)}. */
    public NDArray responseMask() {
        return responseMask;
    }

    /** True when per-token log-probs are wanted. */
    public boolean wantsTokenLogProbs() {
        return tokenLogProbs;
    }

    /** Batch size B. */
    public int batchSize() {
        return Math.toIntExact(hidden.getShape().get(0));
    }

    /** Sequence length T. */
    public int sequenceLength() {
        return Math.toIntExact(hidden.getShape().get(1));
    }

    /** Hidden size d. */
    public int hiddenSize() {
        return Math.toIntExact(hidden.getShape().get(2));
    }

    /** Vocabulary size V. */
    public int vocabularySize() {
        return Math.toIntExact(weight.getShape().get(0));
    }

    private void validateShapes() {
        Shape h = hidden.getShape();
        Shape w = weight.getShape();
        if (h.dimension() != 3) {
            throw new IllegalArgumentException("hidden states must be (B, T, d), got " + h);
        }
        if (w.dimension() != 2 || w.get(1) != h.get(2)) {
            throw new IllegalArgumentException("lm_head weight must be (V, d) with d = " + h.get(2) + ", got " + w);
        }
        DataType dtype = hidden.getDataType();
        if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT64) {
            throw new IllegalArgumentException("hidden states must be float32 or float64, got " + dtype);
        }
        if (weight.getDataType() != dtype) {
            throw new IllegalArgumentException("lm_head weight is " + weight.getDataType() + " but hidden states are " + dtype);
        }
        if (bias != null && (!bias.getShape().equals(new Shape(w.get(0))) || bias.getDataType() != dtype)) {
            throw new IllegalArgumentException("lm_head bias must be (" + w.get(0) + ") " + dtype + ", got "
                    + bias.getShape() + " " + bias.getDataType());
        }
        Shape bt = new Shape(h.get(0), h.get(1));
        if (!labels.getShape().equals(bt)) {
            throw new IllegalArgumentException("labels must be (B, T) = " + bt + ", got " + labels.getShape());
        }
        if (labels.getDataType() != DataType.INT64 && labels.getDataType() != DataType.INT32) {
            throw new IllegalArgumentException("labels must be int64 or int32, got " + labels.getDataType());
        }
        if (!responseMask.getShape().equals(bt)) {
            throw new IllegalArgumentException("response mask must be (B, T) = " + bt + ", got " + responseMask.getShape());
        }
        if (h.get(0) == 0 || h.get(1) == 0) {
            throw new IllegalArgumentException("a batch needs at least one sequence of at least one position, got " + h);
        }
    }
}
