package io.dpo4j.testkit;

import io.dpo4j.api.DataLayout;
import io.dpo4j.api.Statistic;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/** Generators of realistic and extreme batches of statistics for contract tests. */
public final class Batches {

    private Batches() {
    }

    /**
     * A realistic batch: token counts in [1, 40], reference log-probs of about −0.5 to −3 nats per
     * token, policy log-probs within a few nats of the reference (always below zero). Unpaired
     * batches hold both labels and {@code n} mismatched KL pairs.
     */
    public static HostBatch realistic(Random rng, DataLayout layout, int n, double spread) {
        Map<Statistic, double[]> c = new EnumMap<>(Statistic.class);
        if (layout == DataLayout.PAIRED) {
            double[][] chosen = responses(rng, n, spread);
            double[][] rejected = responses(rng, n, spread);
            c.put(Statistic.POLICY_CHOSEN, chosen[0]);
            c.put(Statistic.REFERENCE_CHOSEN, chosen[1]);
            c.put(Statistic.CHOSEN_TOKENS, chosen[2]);
            c.put(Statistic.POLICY_REJECTED, rejected[0]);
            c.put(Statistic.REFERENCE_REJECTED, rejected[1]);
            c.put(Statistic.REJECTED_TOKENS, rejected[2]);
        } else {
            double[][] ex = responses(rng, n, spread);
            double[][] kl = responses(rng, n, spread);
            double[] desirable = new double[n];
            for (int i = 0; i < n; i++) {
                desirable[i] = i % 2 == 0 ? 1 : 0;
            }
            c.put(Statistic.POLICY, ex[0]);
            c.put(Statistic.REFERENCE, ex[1]);
            c.put(Statistic.TOKENS, ex[2]);
            c.put(Statistic.DESIRABLE, desirable);
            c.put(Statistic.KL_POLICY, kl[0]);
            c.put(Statistic.KL_REFERENCE, kl[1]);
        }
        return new HostBatch(layout, c);
    }

    private static double[][] responses(Random rng, int n, double spread) {
        double[] policy = new double[n];
        double[] reference = new double[n];
        double[] tokens = new double[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = 1 + rng.nextInt(40);
            reference[i] = -tokens[i] * (0.5 + 2.5 * rng.nextDouble());
            policy[i] = Math.min(-1e-3, reference[i] + spread * rng.nextGaussian());
        }
        return new double[][] {policy, reference, tokens};
    }

    /**
     * Batches whose log-ratio gaps reach ±{@code gap} (1e4 in the kit), together with log-probs
     * near zero and single-token responses: every objective must stay finite here.
     */
    public static HostBatch extreme(DataLayout layout, double gap) {
        Map<Statistic, double[]> c = new EnumMap<>(Statistic.class);
        if (layout == DataLayout.PAIRED) {
            c.put(Statistic.POLICY_CHOSEN, new double[] {-1e-6, -gap, -1, -gap, -1e-6, -gap / 2});
            c.put(Statistic.REFERENCE_CHOSEN, new double[] {-gap, -1e-6, -gap, -1, -1e-6, -gap / 2});
            c.put(Statistic.CHOSEN_TOKENS, new double[] {1, 1, 3, 1, 1, 1000});
            c.put(Statistic.POLICY_REJECTED, new double[] {-gap, -1e-6, -gap, -1e-6, -1e-6, -1e-6});
            c.put(Statistic.REFERENCE_REJECTED, new double[] {-1e-6, -gap, -1e-6, -gap, -1e-6, -gap});
            c.put(Statistic.REJECTED_TOKENS, new double[] {1, 1, 1, 2, 1, 1});
        } else {
            c.put(Statistic.POLICY, new double[] {-1e-6, -gap, -1e-6, -gap, -1e-6, -gap});
            c.put(Statistic.REFERENCE, new double[] {-gap, -1e-6, -gap, -1e-6, -1e-6, -gap});
            c.put(Statistic.TOKENS, new double[] {1, 1, 1, 1, 1, 1000});
            c.put(Statistic.DESIRABLE, new double[] {1, 1, 0, 0, 1, 0});
            c.put(Statistic.KL_POLICY, new double[] {-1e-6, -gap, -1, -gap, -1e-6, -gap});
            c.put(Statistic.KL_REFERENCE, new double[] {-gap, -1e-6, -gap, -1, -1e-6, -1e-6});
        }
        return new HostBatch(layout, c);
    }
}
