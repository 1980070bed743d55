package io.dpo4j.spark;

import java.io.Serializable;

/**
 * What a task returns for one {@link SequenceBatch}.
 *
 * @param index the batch's index
 * @param sums each sequence's summed response log-prob (reference scoring)
 * @param tokens each sequence's per-token response log-probs under the policy (evaluation), or null
 * @param referenceTokens the same under the reference, or null
 */
record ScoredBatch(int index, double[] sums, float[][] tokens, float[][] referenceTokens) implements Serializable {
}
