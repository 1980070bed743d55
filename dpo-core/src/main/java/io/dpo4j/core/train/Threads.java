package io.dpo4j.core.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * How many threads libtorch uses for one operation. Small models are dominated by per-operation
 * overhead, and libtorch's OpenMP threads spin while they wait: on a busy 2-core machine, two threads
 * made the tiny model's steps 25 times slower than one. So "auto" means one thread below 20 million
 * parameters and every core above.
 */
public final class Threads {

    /** Models smaller than this use one thread under "auto". */
    public static final long SMALL_MODEL_PARAMETERS = 20_000_000L;

    private Threads() {
    }

    /**
     * Sets libtorch's intra-op thread count.
     *
     * @param requested a count, or 0 for auto
     * @param parameters the model's parameter count (for auto)
     * @return the count set
     */
    public static int configure(int requested, long parameters) {
        int n = requested > 0 ? requested
                : parameters < SMALL_MODEL_PARAMETERS ? 1 : Runtime.getRuntime().availableProcessors();
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(n);
        return n;
    }
}
