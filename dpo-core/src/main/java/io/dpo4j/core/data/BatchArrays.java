package io.dpo4j.core.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A batch as NDArrays on one manager (N rows, T positions). Closing it closes the arrays.
 *
 * @param inputIds int64 N×T, right-padded with the pad id
 * @param attentionMask N×T, 1 on real tokens, 0 on padding
 * @param labels int64 N×T: the token at t+1 (what position t predicts), the pad id elsewhere
 * @param responseMask N×T, 1 where position t predicts a response token (t+1 is in the response)
 * @param responseTokens float32 N: the number of response tokens of each row (the mask's row sums)
 */
public record BatchArrays(NDArray inputIds, NDArray attentionMask, NDArray labels, NDArray responseMask,
        NDArray responseTokens) implements AutoCloseable {

    /** The five arrays in the order of the components. */
    public NDList toNDList() {
        return new NDList(inputIds, attentionMask, labels, responseMask, responseTokens);
    }

    @Override
    public void close() {
        toNDList().close();
    }
}
