package io.dpo4j.spark;

import java.io.Serializable;

/**
 * One batch of (prompt, response) sequences, formed on the driver: the unit of work a task scores.
 *
 * @param index the batch's place in the job (results are put back in this order)
 * @param prompts each sequence's prompt ids
 * @param responses each sequence's response ids
 */
record SequenceBatch(int index, int[][] prompts, int[][] responses) implements Serializable {
}
