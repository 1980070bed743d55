package io.dpo4j.train;

import io.dpo4j.api.DataLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one optimizer step's examples into micro-batches of {@code batchSize}: the loop and the
 * reference pass (which must know KTO's mismatched KL rows per micro-batch) split the same way.
 */
final class MicroBatches {

    private final PreparedData data;
    private final int batchSize;
    private final int pad;
    private final boolean mismatched;

    MicroBatches(PreparedData data, int batchSize, int pad, boolean mismatched) {
        this.data = data;
        this.batchSize = batchSize;
        this.pad = pad;
        this.mismatched = mismatched;
    }

    /** The micro-batches of the examples at {@code indices} (into the training examples). */
    List<StepBatch> of(int[] indices) {
        List<StepBatch> out = new ArrayList<>();
        for (int start = 0; start < indices.length; start += batchSize) {
            int end = Math.min(indices.length, start + batchSize);
            if (data.layout() == DataLayout.PAIRED) {
                out.add(StepBatch.paired(slice(data.trainPairs(), indices, start, end)));
            } else {
                out.add(StepBatch.unpaired(slice(data.trainUnpaired(), indices, start, end), pad, mismatched,
                        data.truncation().maxLength()));
            }
        }
        return out;
    }

    private static <T> List<T> slice(List<T> all, int[] indices, int start, int end) {
        List<T> micro = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
            micro.add(all.get(indices[i]));
        }
        return micro;
    }
}
