package io.dpo4j.api;

/**
 * Counts over a whole data set, shown to an objective once before training so it can warn about
 * settings that do not suit the data (KTO's desirable/undesirable balance).
 *
 * @param pairs number of (chosen, rejected) pairs (0 for unpaired data)
 * @param desirable number of desirable examples (unpaired data, or pairs unpaired)
 * @param undesirable number of undesirable examples
 */
public record DatasetSummary(long pairs, long desirable, long undesirable) {

    public DatasetSummary {
        if (pairs < 0 || desirable < 0 || undesirable < 0) {
            throw new IllegalArgumentException("counts must be >= 0");
        }
    }
}
