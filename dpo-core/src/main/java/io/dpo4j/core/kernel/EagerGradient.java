package io.dpo4j.core.kernel;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The objective's gradient, asked for by a single-pass kernel while a group of sequences' logits are
 * still in memory, so that ∂loss/∂H and ∂loss/∂W are formed without recomputing them. Valid only for
 * an objective whose gradient is row-local ({@code ConfiguredObjective#rowLocalGradient()}): the
 * gradient of one group's sequences must not depend on the other groups' log-probs.
 *
 * @param groups the group of each of the B sequences: sequences with equal ids are scored before
 *     their gradient is asked for (a pair's chosen and rejected rows); ids are arbitrary ints
 * @param function given the batch's summed log-probs {@code (B)} — the sequences not yet scored hold a
 *     placeholder, {@code −n(b)·ln V} (the uniform distribution's log-prob) — returns
 *     {@code g = ∂loss/∂logp(b)}, shape {@code (B)}; only the entries of the groups just scored are
 *     used. It may run a small backward on the caller's collector (the objective's graph); it is
 *     called once per chunk of groups.
 */
public record EagerGradient(int[] groups, UnaryOperator<NDArray> function) {

    public EagerGradient {
        Objects.requireNonNull(groups, "groups");
        Objects.requireNonNull(function, "function");
        groups = groups.clone();
    }

    /** The paired layout {@code [chosen rows; rejected rows]}: row i and row i + pairs form group i. */
    public static EagerGradient pairs(int pairs, UnaryOperator<NDArray> function) {
        int[] groups = new int[2 * pairs];
        for (int i = 0; i < pairs; i++) {
            groups[i] = i;
            groups[i + pairs] = i;
        }
        return new EagerGradient(groups, function);
    }

    /** The unpaired layout: every row is its own group. */
    public static EagerGradient rows(int rows, UnaryOperator<NDArray> function) {
        int[] groups = new int[rows];
        for (int i = 0; i < rows; i++) {
            groups[i] = i;
        }
        return new EagerGradient(groups, function);
    }

    @Override
    public int[] groups() {
        return groups.clone();
    }

    /** {@link #function()} applied. */
    public NDArray gradient(NDArray logProbs) {
        return function.apply(logProbs);
    }
}
