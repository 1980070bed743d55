package io.dpo4j.core.data;

import java.util.Random;

/**
 * Seeded shuffling that gives the same order on every JVM and machine: {@link Random}'s algorithm
 * is fixed by its specification, and seeds are derived with SplitMix64's finaliser.
 */
final class Seeds {

    private Seeds() {
    }

    /** A well-mixed seed for a purpose (a constant) and an index (e.g. an epoch). */
    static long derive(long seed, long purpose, long index) {
        return mix(mix(seed ^ purpose) + index * 0x9E3779B97F4A7C15L);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The identity permutation of {@code n} shuffled by Fisher–Yates with the given seed. */
    static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
