package io.dpo4j.train;

import io.dpo4j.core.train.Decay;
import java.util.Objects;

/**
 * The learning-rate schedule: linear warm-up over {@code warmupSteps}, then {@code decay} to 0 at the
 * last step (or constant).
 *
 * @param warmupSteps warm-up steps (&ge; 0)
 * @param decay the decay after warm-up
 */
public record Schedule(int warmupSteps, Decay decay) {

    public Schedule {
        OptimizerSettings.require(warmupSteps >= 0, "warmup_steps", warmupSteps, ">= 0");
        Objects.requireNonNull(decay, "decay");
    }

    /** No warm-up, linear decay (the default). */
    public static Schedule linear() {
        return new Schedule(0, Decay.LINEAR);
    }

    /** No warm-up, constant rate. */
    public static Schedule constant() {
        return new Schedule(0, Decay.CONSTANT);
    }

    /** No warm-up, cosine decay. */
    public static Schedule cosine() {
        return new Schedule(0, Decay.COSINE);
    }

    /** A copy with warm-up steps. */
    public Schedule withWarmup(int steps) {
        return new Schedule(steps, decay);
    }
}
