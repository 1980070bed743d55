package io.dpo4j.bench.scenario;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.core.train.AdamW;
import io.dpo4j.core.train.Gradients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * <b>Deterministic preferences</b> (Azar et al. 2023, §5): the objectives on a K-action softmax
 * policy — a tabular "model" whose sequence log-prob is {@code log softmax(θ)[y]} (one token) —
 * against a uniform reference, with preferences that are always the same (action 1 beats 2, 2 beats
 * 3, …). The same objective classes train it as train a language model.
 *
 * <p>Claims: DPO drives the policy to a deterministic one for every β (its optimum puts h → ∞);
 * IPO's two-action solution is {@code π(y1) = σ(0.5/τ)} (its loss regresses h onto 1/(2τ)). For
 * three actions with the pairs (1,2), (2,3), (1,3) weighted equally, IPO's least-squares solution
 * has equal gaps {@code θ1 − θ2 = θ2 − θ3 = 1/(3τ)}.
 */
public final class TabularPreferenceScenario {

    /** One trained tabular policy. */
    public record Outcome(String objective, Map<String, Object> params, int actions, double[] policy,
            double[] firstActionTrajectory, double closedForm) {
    }

    private final int steps;
    private final double lr;

    public TabularPreferenceScenario(int steps, double lr) {
        this.steps = steps;
        this.lr = lr;
    }

    /** The closed-form IPO policy for K = 2 or 3 actions at τ, or NaN for other K. */
    public static double[] ipoClosedForm(int actions, double tau) {
        if (actions == 2) {
            double p = 1 / (1 + Math.exp(-0.5 / tau));
            return new double[] {p, 1 - p};
        }
        if (actions == 3) {
            double a = 1 / (3 * tau);
            double[] e = {Math.exp(2 * a), Math.exp(a), 1};
            double z = e[0] + e[1] + e[2];
            return new double[] {e[0] / z, e[1] / z, e[2] / z};
        }
        return new double[0];
    }

    /** Trains a K-action policy with {@code objective} and returns the final policy and π(y1) over time. */
    public Outcome run(ConfiguredObjective objective, Map<String, Object> params, int actions, NDManager root,
            long seed) {
        List<int[]> pairs = new ArrayList<>();
        for (int i = 0; i < actions; i++) {
            for (int j = i + 1; j < actions; j++) {
                pairs.add(new int[] {i, j});
            }
        }
        int checkpoints = 20;
        double[] trajectory = new double[checkpoints];
        try (NDManager manager = root.newSubManager(); AdamW adam = new AdamW(manager, 0.9, 0.999, 1e-8, 0)) {
            // A small random start per seed, so that seeds differ; the optimum does not depend on it.
            java.util.Random rng = new java.util.Random(seed);
            double[] init = new double[actions];
            for (int i = 0; i < actions; i++) {
                init[i] = 0.1 * rng.nextGaussian();
            }
            NDArray theta = manager.create(init);
            theta.setRequiresGradient(true);
            Map<String, NDArray> params1 = Map.of("theta", theta);
            for (int step = 0; step < steps; step++) {
                try (NDManager s = manager.newSubManager()) {
                    try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                        NDArray logp = theta.logSoftmax(0);
                        logp.attach(s);
                        ObjectiveResult r = objective.compute(statistics(logp, pairs, actions, objective, s));
                        gc.backward(r.loss());
                    }
                }
                adam.update(params1, lr);
                Gradients.zero(params1);
                if ((step + 1) % (steps / checkpoints) == 0) {
                    trajectory[(step + 1) / (steps / checkpoints) - 1] = policy(theta)[0];
                }
            }
            double[] pi = policy(theta);
            double closed = Double.NaN;
            if (objective.id().equals("ipo")) {
                closed = ipoClosedForm(actions, objective.parameters().real("beta"))[0];
            }
            return new Outcome(objective.id(), params, actions, pi, trajectory, closed);
        }
    }

    private static double[] policy(NDArray theta) {
        try (NDArray p = theta.stopGradient().softmax(0)) {
            return p.toDoubleArray();
        }
    }

    private static SequenceStatistics statistics(NDArray logp, List<int[]> pairs, int actions,
            ConfiguredObjective objective, NDManager s) {
        double ref = -Math.log(actions);
        int n = pairs.size();
        if (objective.requirements().layout() == DataLayout.PAIRED) {
            long[] w = pairs.stream().mapToLong(p -> p[0]).toArray();
            long[] l = pairs.stream().mapToLong(p -> p[1]).toArray();
            return SequenceStatistics.paired()
                    .put(Statistic.POLICY_CHOSEN, logp.take(s.create(w)))
                    .put(Statistic.POLICY_REJECTED, logp.take(s.create(l)))
                    .put(Statistic.REFERENCE_CHOSEN, constant(s, n, ref))
                    .put(Statistic.REFERENCE_REJECTED, constant(s, n, ref))
                    .put(Statistic.CHOSEN_TOKENS, s.ones(new ai.djl.ndarray.types.Shape(n), DataType.FLOAT64))
                    .put(Statistic.REJECTED_TOKENS, s.ones(new ai.djl.ndarray.types.Shape(n), DataType.FLOAT64))
                    .build();
        }
        // Unpaired: each pair gives a desirable (winner) and an undesirable (loser) example; the
        // mismatched KL pairs are the next example's completion (here: action) under the same prompt.
        long[] actionsOf = new long[2 * n];
        double[] desirable = new double[2 * n];
        for (int i = 0; i < n; i++) {
            actionsOf[2 * i] = pairs.get(i)[0];
            actionsOf[2 * i + 1] = pairs.get(i)[1];
            desirable[2 * i] = 1;
        }
        long[] rotated = new long[2 * n];
        for (int k = 0; k < 2 * n; k++) {
            rotated[k] = actionsOf[(k + 1) % (2 * n)];
        }
        ai.djl.ndarray.types.Shape shape = new ai.djl.ndarray.types.Shape(2 * n);
        return SequenceStatistics.unpaired()
                .put(Statistic.POLICY, logp.take(s.create(actionsOf)))
                .put(Statistic.REFERENCE, constant(s, 2 * n, ref))
                .put(Statistic.TOKENS, s.ones(shape, DataType.FLOAT64))
                .put(Statistic.DESIRABLE, s.create(desirable))
                .put(Statistic.KL_POLICY, logp.stopGradient().take(s.create(rotated)))
                .put(Statistic.KL_REFERENCE, constant(s, 2 * n, ref))
                .build();
    }

    private static NDArray constant(NDManager s, int n, double value) {
        double[] v = new double[n];
        java.util.Arrays.fill(v, value);
        return s.create(v);
    }

    /** Formats a probability vector. */
    static String format(double[] p) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < p.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", p[i]));
        }
        return sb.append(')').toString();
    }

    /** Params map with one real value, in insertion order. */
    static Map<String, Object> param(String name, double value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(name, value);
        return m;
    }
}
