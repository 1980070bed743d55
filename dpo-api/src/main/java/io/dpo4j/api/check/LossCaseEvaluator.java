package io.dpo4j.api.check;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.ObjectiveRequirements;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.math.ObjectiveMath;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates a configured objective on a {@link LossCase}: the loss, and by autograd the gradient of
 * the loss with respect to every policy statistic. This is what {@code dpo loss} prints and what the
 * contract kit compares against golden values.
 *
 * <p>Paired cases given to an unpaired objective (KTO) are unpaired as the objective's definition
 * says: each pair becomes one desirable (chosen) and one undesirable (rejected) example, and the
 * gradients are reported back under {@code policy_chosen} and {@code policy_rejected}.
 */
public final class LossCaseEvaluator {

    private LossCaseEvaluator() {
    }

    /**
     * Evaluates {@code objective} on {@code lossCase} in the given floating dtype.
     *
     * @throws LossCaseFormatException when the case lacks a statistic the objective reads, or has the
     *     wrong layout
     */
    public static LossCaseResult evaluate(ConfiguredObjective objective, LossCase lossCase, NDManager manager,
            DataType dtype) {
        return evaluate(objective, lossCase, manager, dtype, Map.of());
    }

    /**
     * Evaluates {@code objective} on {@code lossCase} with its stop-gradient terms held at the given
     * values (see {@link ConfiguredObjective#stopGradientTerms}); what a finite-difference check of
     * such an objective differentiates.
     *
     * @throws LossCaseFormatException when the case lacks a statistic the objective reads, or has the
     *     wrong layout
     */
    public static LossCaseResult evaluate(ConfiguredObjective objective, LossCase lossCase, NDManager manager,
            DataType dtype, Map<String, Double> held) {
        Columns columns = columns(objective, lossCase);
        try (NDManager sub = manager.newSubManager()) {
            Map<Statistic, NDArray> trainable = new LinkedHashMap<>();
            SequenceStatistics stats = statistics(objective, columns.values(), sub, dtype, trainable);
            ObjectiveResult result;
            try (GradientCollector collector = sub.getEngine().newGradientCollector()) {
                result = objective.compute(stats, held);
                collector.backward(result.loss());
            }
            Map<String, double[]> gradients = new LinkedHashMap<>();
            for (Map.Entry<Statistic, NDArray> e : trainable.entrySet()) {
                gradients.put(e.getKey().key(), ObjectiveMath.toDoubles(e.getValue().getGradient()));
            }
            if (columns.unpairedFromPairs()) {
                gradients = repair(gradients.get(Statistic.POLICY.key()));
            }
            return new LossCaseResult(result.lossValue(), gradients, result.metrics(), result.warnings());
        }
    }

    /** The objective's stop-gradient terms on this case, evaluated in float64 (empty for most objectives). */
    public static Map<String, Double> stopGradientTerms(ConfiguredObjective objective, LossCase lossCase,
            NDManager manager) {
        Columns columns = columns(objective, lossCase);
        try (NDManager sub = manager.newSubManager()) {
            return Map.copyOf(objective.stopGradientTerms(
                    statistics(objective, columns.values(), sub, DataType.FLOAT64, new LinkedHashMap<>())));
        }
    }

    private record Columns(Map<Statistic, double[]> values, boolean unpairedFromPairs) {
    }

    private static Columns columns(ConfiguredObjective objective, LossCase lossCase) {
        ObjectiveRequirements req = objective.requirements();
        Map<Statistic, double[]> columns = new EnumMap<>(Statistic.class);
        lossCase.columns().forEach((k, v) -> columns.put(k, v.clone()));
        boolean unpairedFromPairs = false;
        if (req.layout() != lossCase.layout()) {
            if (req.layout() == DataLayout.UNPAIRED) {
                unpair(columns);
                unpairedFromPairs = true;
            } else {
                throw new LossCaseFormatException(lossCase.source() + ": objective '" + objective.id()
                        + "' needs paired data (\"pairs\"), the file has \"examples\"");
            }
        }
        List<String> missing = new ArrayList<>();
        for (Statistic s : req.reads()) {
            if (s.kind() != Statistic.Kind.KL_LOGP && !columns.containsKey(s)) {
                missing.add(s.key());
            }
        }
        if (!missing.isEmpty()) {
            String rows = lossCase.layout() == DataLayout.PAIRED ? "pairs" : "examples";
            throw new LossCaseFormatException(lossCase.source() + ": objective '" + objective.id() + "' reads "
                    + String.join(", ", missing) + ", missing from the " + rows);
        }
        return new Columns(columns, unpairedFromPairs);
    }

    private static SequenceStatistics statistics(ConfiguredObjective objective, Map<Statistic, double[]> columns,
            NDManager sub, DataType dtype, Map<Statistic, NDArray> trainable) {
        ObjectiveRequirements req = objective.requirements();
        SequenceStatistics.Builder builder = req.layout() == DataLayout.PAIRED
                ? SequenceStatistics.paired() : SequenceStatistics.unpaired();
        for (Map.Entry<Statistic, double[]> e : columns.entrySet()) {
            if (!req.reads(e.getKey())) {
                continue;
            }
            NDArray a = sub.create(e.getValue()).toType(dtype, false);
            if (e.getKey().isTrainable()) {
                a.setRequiresGradient(true);
                trainable.put(e.getKey(), a);
            }
            builder.put(e.getKey(), a);
        }
        return builder.build();
    }

    /** Pairs → examples: chosen i becomes example 2i (desirable), rejected i becomes 2i + 1. */
    private static void unpair(Map<Statistic, double[]> columns) {
        double[] pc = columns.remove(Statistic.POLICY_CHOSEN);
        double[] pr = columns.remove(Statistic.POLICY_REJECTED);
        double[] rc = columns.remove(Statistic.REFERENCE_CHOSEN);
        double[] rr = columns.remove(Statistic.REFERENCE_REJECTED);
        double[] nc = columns.remove(Statistic.CHOSEN_TOKENS);
        double[] nr = columns.remove(Statistic.REJECTED_TOKENS);
        columns.put(Statistic.POLICY, interleave(pc, pr));
        if (rc != null && rr != null) {
            columns.put(Statistic.REFERENCE, interleave(rc, rr));
        }
        columns.put(Statistic.TOKENS, interleave(nc, nr));
        double[] desirable = new double[pc.length * 2];
        for (int i = 0; i < pc.length; i++) {
            desirable[2 * i] = 1;
        }
        columns.put(Statistic.DESIRABLE, desirable);
    }

    private static double[] interleave(double[] a, double[] b) {
        double[] out = new double[a.length * 2];
        for (int i = 0; i < a.length; i++) {
            out[2 * i] = a[i];
            out[2 * i + 1] = b[i];
        }
        return out;
    }

    private static Map<String, double[]> repair(double[] policy) {
        int n = policy.length / 2;
        double[] chosen = new double[n];
        double[] rejected = new double[n];
        for (int i = 0; i < n; i++) {
            chosen[i] = policy[2 * i];
            rejected[i] = policy[2 * i + 1];
        }
        Map<String, double[]> m = new LinkedHashMap<>();
        m.put(Statistic.POLICY_CHOSEN.key(), chosen);
        m.put(Statistic.POLICY_REJECTED.key(), rejected);
        return m;
    }
}
