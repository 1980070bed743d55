package io.dpo4j.api.check;

import io.dpo4j.api.DataLayout;
import io.dpo4j.api.Statistic;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One loss case as {@code dpo loss --input} reads it: an objective id, its parameters and a batch of
 * per-sequence statistics held column-wise. The JSON format:
 *
 * <pre>{@code
 * {"objective": "dpo", "params": {"beta": 0.1},
 *  "pairs": [{"policy_chosen": -12.5, "policy_rejected": -14.0, "reference_chosen": -12.9,
 *             "reference_rejected": -13.8, "chosen_tokens": 7, "rejected_tokens": 9}, ...]}
 * {"objective": "kto", "params": {},
 *  "examples": [{"policy": -20.3, "reference": -20.5, "tokens": 30, "desirable": true}, ...],
 *  "kl": [{"policy": -9.6, "reference": -8.9, "tokens": 6}, ...]}
 * }</pre>
 *
 * @param source where the case came from (a file name, for messages)
 * @param objective the objective id
 * @param params hyperparameters as written (numbers, booleans or strings)
 * @param layout paired ({@code pairs}) or unpaired ({@code examples})
 * @param columns every statistic present, one value per row (KL columns may differ in length)
 */
public record LossCase(String source, String objective, Map<String, Object> params, DataLayout layout,
        Map<Statistic, double[]> columns) {

    public LossCase {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(objective, "objective");
        Objects.requireNonNull(layout, "layout");
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        EnumMap<Statistic, double[]> copy = new EnumMap<>(Statistic.class);
        columns.forEach((k, v) -> copy.put(k, v.clone()));
        columns = Collections.unmodifiableMap(copy);
    }

    /** Number of pairs or examples. */
    public int rows() {
        return columns.get(layout == DataLayout.PAIRED ? Statistic.POLICY_CHOSEN : Statistic.POLICY).length;
    }

    /** A copy of one column (the record never hands out its own arrays). */
    public double[] column(Statistic statistic) {
        double[] c = columns.get(statistic);
        return c == null ? null : c.clone();
    }
}
