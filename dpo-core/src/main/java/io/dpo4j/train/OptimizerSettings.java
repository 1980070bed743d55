package io.dpo4j.train;

/**
 * AdamW's settings (decoupled weight decay, as PyTorch's {@code torch.optim.AdamW}).
 *
 * @param lr the peak learning rate (&gt; 0)
 * @param weightDecay decoupled weight decay (&ge; 0)
 * @param beta1 first-moment decay, in [0, 1)
 * @param beta2 second-moment decay, in [0, 1)
 * @param eps the denominator's epsilon (&gt; 0)
 */
public record OptimizerSettings(double lr, double weightDecay, double beta1, double beta2, double eps) {

    public OptimizerSettings {
        require(lr > 0 && Double.isFinite(lr), "lr", lr, "> 0");
        require(weightDecay >= 0 && Double.isFinite(weightDecay), "weight_decay", weightDecay, ">= 0");
        require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "in [0, 1)");
        require(beta2 >= 0 && beta2 < 1, "beta2", beta2, "in [0, 1)");
        require(eps > 0 && Double.isFinite(eps), "eps", eps, "> 0");
    }

    /** The defaults (lr 5e-4, no weight decay, betas 0.9 and 0.999, eps 1e-8). */
    public static OptimizerSettings defaults() {
        return new OptimizerSettings(5e-4, 0.0, 0.9, 0.999, 1e-8);
    }

    /** AdamW with the given learning rate and the other defaults. */
    public static OptimizerSettings adamW(double lr) {
        return defaults().withLr(lr);
    }

    /** A copy with another learning rate. */
    public OptimizerSettings withLr(double newLr) {
        return new OptimizerSettings(newLr, weightDecay, beta1, beta2, eps);
    }

    /** A copy with another weight decay. */
    public OptimizerSettings withWeightDecay(double decay) {
        return new OptimizerSettings(lr, decay, beta1, beta2, eps);
    }

    static void require(boolean ok, String field, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(field + " = " + value + ": must be " + rule);
        }
    }
}
