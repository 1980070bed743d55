package io.dpo4j.core.train;

/** Learning-rate decay after warm-up (see {@link LearningRateSchedule}). */
public enum Decay {
    /** The peak rate until the end. */
    CONSTANT,
    /** Linear decay to 0 at the last step (the default). */
    LINEAR,
    /** Cosine decay to 0 at the last step. */
    COSINE
}
