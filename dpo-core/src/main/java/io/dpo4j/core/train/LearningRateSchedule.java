package io.dpo4j.core.train;

/**
 * Linear warm-up from 0 to the peak rate over {@code warmupSteps}, then constant, linear decay to 0,
 * or cosine decay to 0 at {@code totalSteps} (as Hugging Face's schedulers).
 */
public record LearningRateSchedule(double peak, int warmupSteps, Decay decay, long totalSteps) {

    /** The learning rate of optimizer step {@code step} (0-based). */
    public double at(long step) {
        if (warmupSteps > 0 && step < warmupSteps) {
            return peak * (step + 1) / warmupSteps;
        }
        long decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        return switch (decay) {
            case CONSTANT -> peak;
            case LINEAR -> peak * (1 - progress);
            case COSINE -> peak * 0.5 * (1 + Math.cos(Math.PI * progress));
        };
    }
}
