package io.dpo4j.api;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The per-sequence statistics of one batch, as 1-D NDArrays of equal length and equal floating
 * dtype: everything an objective may read. Built by the log-prob kernel during training, by
 * {@code dpo loss} from a JSON file, or by a test.
 *
 * <p>The container is immutable; the arrays it holds belong to the caller's NDManager and objectives
 * must never modify them in place.
 */
public final class SequenceStatistics {

    private final DataLayout layout;
    private final Map<Statistic, NDArray> arrays;
    private final int size;

    private SequenceStatistics(DataLayout layout, Map<Statistic, NDArray> arrays) {
        this.layout = layout;
        this.arrays = Collections.unmodifiableMap(arrays);
        int n = -1;
        for (Map.Entry<Statistic, NDArray> e : arrays.entrySet()) {
            Statistic s = e.getKey();
            NDArray a = Objects.requireNonNull(e.getValue(), s.key());
            if (s.layout() != layout) {
                throw new IllegalArgumentException("statistic '" + s.key() + "' does not belong to the " + layout.label() + " layout");
            }
            if (a.getShape().dimension() != 1) {
                throw new IllegalArgumentException("statistic '" + s.key() + "' must be a vector, got shape " + a.getShape());
            }
            if (!a.getDataType().isFloating()) {
                throw new IllegalArgumentException("statistic '" + s.key() + "' must be floating point, got " + a.getDataType());
            }
            int len = Math.toIntExact(a.size());
            boolean kl = s.kind() == Statistic.Kind.KL_LOGP;
            if (!kl) {
                if (n >= 0 && n != len) {
                    throw new IllegalArgumentException("statistic '" + s.key() + "' has " + len + " entries, others have " + n);
                }
                n = len;
            }
        }
        if (n <= 0) {
            throw new IllegalArgumentException("a batch needs at least one row");
        }
        this.size = n;
        NDArray klPolicy = arrays.get(Statistic.KL_POLICY);
        NDArray klReference = arrays.get(Statistic.KL_REFERENCE);
        if ((klPolicy == null) != (klReference == null)
                || (klPolicy != null && klPolicy.size() != klReference.size())) {
            throw new IllegalArgumentException("kl_policy and kl_reference must be given together, with equal lengths");
        }
    }

    /** Starts a paired batch. */
    public static Builder paired() {
        return new Builder(DataLayout.PAIRED);
    }

    /** Starts an unpaired batch. */
    public static Builder unpaired() {
        return new Builder(DataLayout.UNPAIRED);
    }

    /** The layout of this batch. */
    public DataLayout layout() {
        return layout;
    }

    /** Number of pairs (paired) or examples (unpaired). */
    public int size() {
        return size;
    }

    /** True when the statistic is present. */
    public boolean has(Statistic statistic) {
        return arrays.containsKey(statistic);
    }

    /**
     * The statistic's array.
     *
     * @throws IllegalArgumentException naming the statistic when it is absent
     */
    public NDArray get(Statistic statistic) {
        NDArray a = arrays.get(statistic);
        if (a == null) {
            throw new IllegalArgumentException("statistic '" + statistic.key() + "' is not in this batch (present: "
                    + arrays.keySet().stream().map(Statistic::key).collect(Collectors.joining(", ")) + ")");
        }
        return a;
    }

    /** The statistic's array, if present. */
    public Optional<NDArray> find(Statistic statistic) {
        return Optional.ofNullable(arrays.get(statistic));
    }

    /** Every statistic present, in declaration order (unmodifiable). */
    public Map<Statistic, NDArray> asMap() {
        return arrays;
    }

    /** A copy of this batch with one statistic replaced or added. */
    public SequenceStatistics with(Statistic statistic, NDArray array) {
        Map<Statistic, NDArray> copy = new EnumMap<>(Statistic.class);
        copy.putAll(arrays);
        copy.put(statistic, array);
        return new SequenceStatistics(layout, copy);
    }

    /** A copy of this batch without one statistic. */
    public SequenceStatistics without(Statistic statistic) {
        Map<Statistic, NDArray> copy = new EnumMap<>(Statistic.class);
        copy.putAll(arrays);
        copy.remove(statistic);
        return new SequenceStatistics(layout, copy);
    }

    /** Builds a {@link SequenceStatistics}; arrays are validated for shape, dtype and length. */
    public static final class Builder {
        private final DataLayout layout;
        private final Map<Statistic, NDArray> arrays = new EnumMap<>(Statistic.class);

        private Builder(DataLayout layout) {
            this.layout = layout;
        }

        /** Sets one statistic. */
        public Builder put(Statistic statistic, NDArray array) {
            arrays.put(statistic, array);
            return this;
        }

        /** Validates and builds. */
        public SequenceStatistics build() {
            return new SequenceStatistics(layout, new EnumMap<>(arrays));
        }
    }
}
