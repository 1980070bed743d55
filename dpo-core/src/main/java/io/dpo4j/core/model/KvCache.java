package io.dpo4j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The keys and values (after rotary embedding) of every layer for the tokens read so far, so that
 * incremental decoding reads only the new tokens. Its arrays live on a manager of their own, a child
 * of the one given at creation; {@link #close()} frees them. Not for training: nothing here is
 * differentiated.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int length;

    KvCache(int layers, NDManager parent) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** The number of positions cached (the past length the next forward pass continues from). */
    public int length() {
        return length;
    }

    /** Appends a layer's new keys and values ({@code B×kvHeads×T×headDim}) and returns all of them. */
    NDArray[] append(int layer, NDArray newKeys, NDArray newValues) {
        keys[layer] = extend(keys[layer], newKeys);
        values[layer] = extend(values[layer], newValues);
        return new NDArray[] {keys[layer], values[layer]};
    }

    private NDArray extend(NDArray cached, NDArray fresh) {
        if (cached == null) {
            fresh.attach(manager);
            return fresh;
        }
        NDArray joined = cached.concat(fresh, 2); // attached to the cache's manager: the first operand's
        cached.close();
        return joined;
    }

    /** Records that a forward pass of {@code tokens} positions has been appended to every layer. */
    void advance(int tokens) {
        length += tokens;
    }

    @Override
    public void close() {
        manager.close();
    }
}
