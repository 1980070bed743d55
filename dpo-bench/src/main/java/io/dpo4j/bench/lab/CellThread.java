package io.dpo4j.bench.lab;

import ai.djl.pytorch.jni.JniUtils;
import io.dpo4j.core.train.Threads;

/**
 * Prepares a benchmark worker thread for libtorch: its thread-local state starts at PyTorch's
 * defaults on a new thread (gradient recording on, every core for one operation), not at what DJL set
 * on the thread that loaded the engine. Each cell sets one intra-op thread and gradient recording
 * off (training turns it on for its backward passes), so two cells side by side use two cores and
 * compute exactly what they would alone.
 */
public final class CellThread {

    private CellThread() {
    }

    /** Call first in every task that runs libtorch operations. */
    public static void prepare() {
        Threads.configure(1, 0);
        JniUtils.setGradMode(false);
    }
}
