package io.dpo4j.core.data;

import io.dpo4j.core.DpoException;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds out a validation set: a seeded, deterministic choice of {@code round(fraction · n)} rows
 * (at least one when the fraction is above 0), the same on every machine. Both halves keep the
 * input order. Split rows before unpairing them, so a pair's two halves stay together.
 */
public final class ValidationSplit {

    private static final long PURPOSE = 0x76616C6964L; // "valid"

    private ValidationSplit() {
    }

    /**
     * Splits by fraction.
     *
     * @param fraction in [0, 1); 0 gives no validation set
     * @throws DpoException for a fraction out of range, or too few examples to hold any out
     */
    public static <T> Split<T> byFraction(List<T> examples, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) {
            throw new DpoException("validation_fraction must be in [0, 1), got " + fraction);
        }
        int n = examples.size();
        if (fraction == 0) {
            return new Split<>(examples, List.of());
        }
        if (n < 2) {
            throw new DpoException("validation_fraction " + fraction + " needs at least 2 examples, and there "
                    + (n == 1 ? "is 1" : "are " + n) + "; give more data or set validation_fraction to 0");
        }
        int held = (int) Math.min(n - 1, Math.max(1, Math.round(fraction * n)));
        int[] order = Seeds.permutation(n, Seeds.derive(seed, PURPOSE, n));
        boolean[] validation = new boolean[n];
        for (int i = 0; i < held; i++) {
            validation[order[i]] = true;
        }
        List<T> train = new ArrayList<>(n - held);
        List<T> valid = new ArrayList<>(held);
        for (int i = 0; i < n; i++) {
            (validation[i] ? valid : train).add(examples.get(i));
        }
        return new Split<>(train, valid);
    }

    /** Uses separately loaded validation examples as they are. */
    public static <T> Split<T> separate(List<T> train, List<T> validation) {
        return new Split<>(train, validation);
    }
}
