package io.dpo4j.bench.stats;

/**
 * Best-of-N sampling from π_ref: draw N responses, keep the one with the highest reward. Its
 * distribution's KL to π_ref is exactly {@code log N − (N−1)/N} when rewards have no ties (Stiennon
 * et al. 2020, Appendix; Beirami et al. 2024 show it is an upper bound in general), so it sits on
 * the reward–KL plane without any estimate of the KL.
 */
public final class BestOfN {

    private BestOfN() {
    }

    /** {@code log N − (N−1)/N}, in nats. */
    public static double kl(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("N must be >= 1, got " + n);
        }
        return Math.log(n) - (n - 1.0) / n;
    }

    /**
     * The mean over prompts of the best reward among the first {@code n} samples of each prompt.
     *
     * @param rewards rewards[prompt][sample]
     */
    public static double meanBest(double[][] rewards, int n) {
        double sum = 0;
        for (double[] r : rewards) {
            if (r.length < n) {
                throw new IllegalArgumentException("a prompt has " + r.length + " samples, fewer than N = " + n);
            }
            double best = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                best = Math.max(best, r[i]);
            }
            sum += best;
        }
        return rewards.length == 0 ? Double.NaN : sum / rewards.length;
    }

    /**
     * Best-of-N's reward at a KL budget, interpolated linearly in KL between the measured N (NaN
     * above the largest N's KL).
     *
     * @param ns the N values, increasing
     * @param reward the mean best reward of each
     */
    public static double rewardAtKl(int[] ns, double[] reward, double budget) {
        double[] kl = new double[ns.length];
        for (int i = 0; i < ns.length; i++) {
            kl[i] = kl(ns[i]);
        }
        return Isotonic.atLevel(kl, reward, budget);
    }
}
