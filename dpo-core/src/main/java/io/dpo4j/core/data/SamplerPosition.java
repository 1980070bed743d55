package io.dpo4j.core.data;

/**
 * Where a {@link BatchSampler} stands: the next batch to take is batch {@code index} of epoch
 * {@code epoch}. Saved with a checkpoint, it makes a resumed run see exactly the same batches.
 *
 * @param epoch 0-based epoch
 * @param index 0-based batch within the epoch
 */
public record SamplerPosition(int epoch, int index) {

    /** Epoch 0, batch 0. */
    public static final SamplerPosition START = new SamplerPosition(0, 0);

    public SamplerPosition {
        if (epoch < 0 || index < 0) {
            throw new IllegalArgumentException("epoch and index must be >= 0, got " + epoch + ", " + index);
        }
    }
}
