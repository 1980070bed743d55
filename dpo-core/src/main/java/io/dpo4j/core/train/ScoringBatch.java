package io.dpo4j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dpo4j.core.data.BatchArrays;
import io.dpo4j.core.data.SegmentedArrays;
import io.dpo4j.core.data.SegmentedRows;
import io.dpo4j.core.kernel.LogProbInput;
import io.dpo4j.core.model.AttentionMask;
import io.dpo4j.core.model.LlamaModel;
import io.dpo4j.core.model.TrunkPass;

/**
 * One batch of sequences as the trunk and the log-prob kernel see it, in the layout a {@link BatchLayout}
 * chose: right-padded rows, or segments (shared prompts, packed rows). Whatever the layout, the kernel's
 * input has one row per sequence in the caller's order, so its statistics are the padded path's.
 */
public final class ScoringBatch implements AutoCloseable {

    private final BatchArrays padded;
    private final SegmentedArrays segmented;
    private final SegmentedRows rows;
    private final boolean shared;

    private ScoringBatch(BatchArrays padded, SegmentedArrays segmented, SegmentedRows rows, boolean shared) {
        this.padded = padded;
        this.segmented = segmented;
        this.rows = rows;
        this.shared = shared;
    }

    static ScoringBatch padded(BatchArrays arrays) {
        return new ScoringBatch(arrays, null, null, false);
    }

    static ScoringBatch segmented(SegmentedRows rows, SegmentedArrays arrays, boolean shared) {
        return new ScoringBatch(null, arrays, rows, shared);
    }

    /** True when prompts are shared. */
    public boolean shared() {
        return shared;
    }

    /** True in the segmented layout (shared or packed). */
    public boolean segmented() {
        return segmented != null;
    }

    /** The trunk's token positions, padding included ({@code B·T}). */
    public long trunkTokens() {
        return (padded != null ? padded.inputIds() : segmented.inputIds()).getShape().size();
    }

    /** The layout's rows, or null in the padded layout. */
    SegmentedRows rows() {
        return rows;
    }

    /** The trunk's ids. */
    public NDArray inputIds() {
        return padded != null ? padded.inputIds() : segmented.inputIds();
    }

    /** Response tokens per sequence (float32). */
    public NDArray responseTokens() {
        return padded != null ? padded.responseTokens() : segmented.responseTokens();
    }

    /** The final hidden states (recorded by autograd only inside an open collector). */
    public NDArray hidden(LlamaModel model, NDManager manager) {
        if (padded != null) {
            return SequenceScorer.hidden(model, padded, manager);
        }
        return model.hiddenStates(segmented.inputIds(), mask(), segmented.positionIds());
    }

    /** A training forward pass of the trunk over this batch. */
    public TrunkPass trainingPass(LlamaModel model, NDManager manager, boolean checkpoint, long dropoutSeed) {
        if (padded != null) {
            ai.djl.ndarray.types.Shape s = padded.inputIds().getShape();
            return model.trainingPass(padded.inputIds(), padded.attentionMask(),
                    SequenceScorer.positions(manager, (int) s.get(0), (int) s.get(1)), checkpoint, dropoutSeed);
        }
        return model.trainingPass(segmented.inputIds(), mask(), segmented.positionIds(), checkpoint, dropoutSeed);
    }

    /**
     * The kernel's input for the trunk's output {@code hidden}: the padded rows as they are, or each sequence's
     * response-predicting rows gathered (differentiably) into {@code S×R×d}.
     */
    public LogProbInput kernelInput(NDManager manager, NDArray hidden, NDArray weight) {
        if (padded != null) {
            return LogProbInput.of(manager, hidden, weight, padded.labels(), padded.responseMask());
        }
        return LogProbInput.of(manager, segmented.responseHidden(hidden), weight, segmented.labels(),
                segmented.responseMask());
    }

    private AttentionMask mask() {
        return AttentionMask.segments(segmented.segmentIds(), segmented.branchIds());
    }

    @Override
    public void close() {
        if (padded != null) {
            padded.close();
        } else {
            segmented.close();
        }
    }
}
