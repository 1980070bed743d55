package io.dpo4j.core.data;

import java.util.Arrays;
import java.util.Iterator;

/**
 * Deterministic batches of dataset indices: each epoch is its own seeded permutation (a function of
 * the seed and the epoch only), cut into batches in order. Any batch can be computed from its
 * {@link SamplerPosition}, so a resumed run continues with exactly the batches it would have seen.
 */
public final class BatchSampler {

    private static final long PURPOSE = 0x62617463684cL; // "batchL"

    private final int size;
    private final int batchSize;
    private final long seed;
    private final boolean dropLast;

    private int cachedEpoch = -1;
    private int[] cachedOrder;

    /**
     * @param size number of examples (at least 1)
     * @param batchSize examples per batch (at least 1)
     * @param seed the run's seed
     * @param dropLast leave out the last, smaller batch of an epoch (ignored when it would leave no batch)
     */
    public BatchSampler(int size, int batchSize, long seed, boolean dropLast) {
        if (size < 1 || batchSize < 1) {
            throw new IllegalArgumentException("size and batch size must be at least 1, got " + size + ", " + batchSize);
        }
        this.size = size;
        this.batchSize = batchSize;
        this.seed = seed;
        this.dropLast = dropLast && size >= batchSize;
    }

    /** Batches in one epoch. */
    public int batchesPerEpoch() {
        return dropLast ? size / batchSize : (size + batchSize - 1) / batchSize;
    }

    /** The dataset indices of a batch. */
    public synchronized int[] batch(SamplerPosition position) {
        if (position.index() >= batchesPerEpoch()) {
            throw new IllegalArgumentException("epoch " + position.epoch() + " has " + batchesPerEpoch()
                    + " batches, no batch " + position.index());
        }
        int[] order = order(position.epoch());
        int from = position.index() * batchSize;
        return Arrays.copyOfRange(order, from, Math.min(size, from + batchSize));
    }

    /** The position after {@code position}: the next batch, or the first of the next epoch. */
    public SamplerPosition next(SamplerPosition position) {
        return position.index() + 1 < batchesPerEpoch() ? new SamplerPosition(position.epoch(), position.index() + 1)
                : new SamplerPosition(position.epoch() + 1, 0);
    }

    /** The batches from {@code start} on, without end (bound it by steps or epochs). */
    public Iterator<SampledBatch> from(SamplerPosition start) {
        return new Iterator<>() {
            private SamplerPosition position = start;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public SampledBatch next() {
                SampledBatch batch = new SampledBatch(position, batch(position));
                position = BatchSampler.this.next(position);
                return batch;
            }
        };
    }

    private int[] order(int epoch) {
        if (epoch != cachedEpoch) {
            cachedOrder = Seeds.permutation(size, Seeds.derive(seed, PURPOSE, epoch));
            cachedEpoch = epoch;
        }
        return cachedOrder;
    }

    /**
     * One batch and where it stands.
     *
     * @param position this batch's position
     * @param indices dataset indices
     */
    public record SampledBatch(SamplerPosition position, int[] indices) {
    }
}
