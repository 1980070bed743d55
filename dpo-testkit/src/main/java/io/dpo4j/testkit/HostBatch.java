package io.dpo4j.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.check.LossCase;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A batch of per-sequence statistics held in Java arrays (float64), easy to permute, duplicate or
 * perturb, and turned into NDArrays on demand.
 *
 * @param layout paired or unpaired
 * @param columns one array per statistic; KL columns may have another length
 */
public record HostBatch(DataLayout layout, Map<Statistic, double[]> columns) {

    public HostBatch {
        EnumMap<Statistic, double[]> copy = new EnumMap<>(Statistic.class);
        columns.forEach((k, v) -> copy.put(k, v.clone()));
        columns = Collections.unmodifiableMap(copy);
    }

    /** Number of rows (pairs or examples). */
    public int rows() {
        return columns.get(layout == DataLayout.PAIRED ? Statistic.POLICY_CHOSEN : Statistic.POLICY).length;
    }

    /** A copy of one column. */
    public double[] column(Statistic s) {
        return columns.get(s).clone();
    }

    /** The statistics as NDArrays of {@code dtype} on {@code manager}. */
    public SequenceStatistics toStatistics(NDManager manager, DataType dtype) {
        SequenceStatistics.Builder b = layout == DataLayout.PAIRED ? SequenceStatistics.paired()
                : SequenceStatistics.unpaired();
        columns.forEach((k, v) -> {
            NDArray a = manager.create(v).toType(dtype, false);
            b.put(k, a);
        });
        return b.build();
    }

    /** This batch as a loss case for {@link io.dpo4j.api.check.LossCaseEvaluator}. */
    public LossCase toLossCase(String objectiveId, Map<String, Object> params) {
        return new LossCase("generated batch", objectiveId, params, layout, columns);
    }

    /** Rows reordered: row i of the result is row {@code order[i]} of this one (KL columns unchanged). */
    public HostBatch permuted(int[] order) {
        Map<Statistic, double[]> out = new EnumMap<>(Statistic.class);
        columns.forEach((k, v) -> {
            if (k.kind() == Statistic.Kind.KL_LOGP) {
                out.put(k, v);
            } else {
                double[] p = new double[v.length];
                for (int i = 0; i < order.length; i++) {
                    p[i] = v[order[i]];
                }
                out.put(k, p);
            }
        });
        return new HostBatch(layout, out);
    }

    /** Every row (and every KL entry) twice: the batch followed by itself. */
    public HostBatch duplicated() {
        Map<Statistic, double[]> out = new EnumMap<>(Statistic.class);
        columns.forEach((k, v) -> {
            double[] d = new double[v.length * 2];
            System.arraycopy(v, 0, d, 0, v.length);
            System.arraycopy(v, 0, d, v.length, v.length);
            out.put(k, d);
        });
        return new HostBatch(layout, out);
    }

    /** A copy with one entry replaced. */
    public HostBatch with(Statistic s, int row, double value) {
        Map<Statistic, double[]> out = new EnumMap<>(Statistic.class);
        columns.forEach((k, v) -> out.put(k, v.clone()));
        out.get(s)[row] = value;
        return new HostBatch(layout, out);
    }

    /** A copy keeping only the given statistics (those present). */
    public HostBatch restrictedTo(java.util.Set<Statistic> keep) {
        Map<Statistic, double[]> out = new EnumMap<>(Statistic.class);
        columns.forEach((k, v) -> {
            if (keep.contains(k)) {
                out.put(k, v);
            }
        });
        return new HostBatch(layout, out);
    }

    /** A copy with one whole column replaced or added. */
    public HostBatch withColumn(Statistic s, double[] values) {
        Map<Statistic, double[]> out = new EnumMap<>(Statistic.class);
        columns.forEach((k, v) -> out.put(k, v.clone()));
        out.put(s, values.clone());
        return new HostBatch(layout, out);
    }

    /**
     * This batch followed by {@code other} (every column, KL columns included): the batch that two
     * accumulated micro-batches {@code this} and {@code other} stand for.
     */
    public HostBatch concat(HostBatch other) {
        if (other.layout != layout || !other.columns.keySet().equals(columns.keySet())) {
            throw new IllegalArgumentException("batches with different statistics cannot be joined");
        }
        Map<Statistic, double[]> out = new EnumMap<>(Statistic.class);
        columns.forEach((k, v) -> {
            double[] w = other.columns.get(k);
            double[] d = new double[v.length + w.length];
            System.arraycopy(v, 0, d, 0, v.length);
            System.arraycopy(w, 0, d, v.length, w.length);
            out.put(k, d);
        });
        return new HostBatch(layout, out);
    }
}
