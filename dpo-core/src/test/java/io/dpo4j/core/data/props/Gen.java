package io.dpo4j.core.data.props;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A generator of test values: a function of a seeded random source. The same seed gives the same
 * value, so a case is replayed from its seed alone (see {@link Cases}).
 *
 * <p>Generators compose with {@link #map}, {@link #list} and {@link #optional}, or are written as a
 * lambda drawing from others: {@code r -> new Pair(left.next(r), right.next(r))}. Numbers and
 * sizes favour their bounds now and then (about one draw in ten each), so that edge cases such as an
 * empty list or a cut at the first character come up in a few hundred tries.
 *
 * @param <T> the type of the generated values
 */
@FunctionalInterface
public interface Gen<T> {

    /** The probability with which {@link #ints} and {@link #unit} return each of their bounds. */
    double EDGE = 0.1;

    /** Draws one value. Must depend on {@code random} only, never on other state, to stay replayable. */
    T next(SplittableRandom random);

    /** Values of this generator passed through {@code f}. */
    default <R> Gen<R> map(Function<? super T, ? extends R> f) {
        return r -> f.apply(next(r));
    }

    /** Values from a generator chosen by a value of this one. */
    default <R> Gen<R> flatMap(Function<? super T, ? extends Gen<? extends R>> f) {
        return r -> f.apply(next(r)).next(r);
    }

    /** Lists of {@code min} to {@code max} values of this generator (sizes as by {@link #ints}). */
    default Gen<List<T>> list(int min, int max) {
        Gen<Integer> size = ints(min, max);
        return r -> {
            int n = size.next(r);
            List<T> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(next(r));
            }
            return out;
        };
    }

    /** A value of this generator with probability {@code presence}, otherwise empty. */
    default Gen<Optional<T>> optional(double presence) {
        return r -> r.nextDouble() < presence ? Optional.of(next(r)) : Optional.empty();
    }

    /** Always {@code value}. */
    static <T> Gen<T> constant(T value) {
        return r -> value;
    }

    /** One of {@code values}, each as likely. */
    @SafeVarargs
    static <T> Gen<T> choose(T... values) {
        List<T> list = new ArrayList<>(values.length);
        for (T v : values) {
            list.add(v);
        }
        return choose(list);
    }

    /** One of {@code values}, each as likely. Pass a list, never a set: its order must be fixed. */
    static <T> Gen<T> choose(List<? extends T> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("nothing to choose from");
        }
        List<? extends T> copy = List.copyOf(values);
        return r -> copy.get(r.nextInt(copy.size()));
    }

    /** True or false, each as likely. */
    static Gen<Boolean> booleans() {
        return r -> r.nextBoolean();
    }

    /** An integer in [min, max], each bound with probability {@link #EDGE}, otherwise uniform. */
    static Gen<Integer> ints(int min, int max) {
        if (min > max) {
            throw new IllegalArgumentException("empty range [" + min + ", " + max + "]");
        }
        return r -> {
            double edge = r.nextDouble();
            return edge < EDGE ? min : edge < 2 * EDGE ? max : r.nextInt(min, max + 1);
        };
    }

    /** A double in [0, 1], 0 and 1 each with probability {@link #EDGE}, otherwise uniform. */
    static Gen<Double> unit() {
        return r -> {
            double edge = r.nextDouble();
            return edge < EDGE ? 0.0 : edge < 2 * EDGE ? 1.0 : r.nextDouble();
        };
    }

    /** A value of one of {@code gens}, each generator as likely. */
    @SafeVarargs
    static <T> Gen<T> oneOf(Gen<? extends T>... gens) {
        List<Gen<? extends T>> copy = new ArrayList<>(gens.length);
        for (Gen<? extends T> g : gens) {
            copy.add(g);
        }
        return r -> copy.get(r.nextInt(copy.size())).next(r);
    }

    /** A generator with its relative weight, for {@link #frequency}. */
    record Weighted<T>(int weight, Gen<? extends T> gen) {
        public Weighted {
            if (weight <= 0) {
                throw new IllegalArgumentException("weight " + weight);
            }
        }
    }

    /** {@code gen} with relative weight {@code weight}. */
    static <T> Weighted<T> weighted(int weight, Gen<? extends T> gen) {
        return new Weighted<>(weight, gen);
    }

    /** A value of one of the generators, each chosen in proportion to its weight. */
    static <T> Gen<T> frequency(List<Weighted<T>> choices) {
        List<Weighted<T>> copy = List.copyOf(choices);
        int total = copy.stream().mapToInt(Weighted::weight).sum();
        return r -> {
            int pick = r.nextInt(total);
            for (Weighted<T> w : copy) {
                pick -= w.weight();
                if (pick < 0) {
                    return w.gen().next(r);
                }
            }
            throw new AssertionError("unreachable");
        };
    }

    /** A subset of {@code values} of at least {@code min} distinct elements, in the order of {@code values}. */
    static <T> Gen<List<T>> subset(List<? extends T> values, int min) {
        List<? extends T> copy = List.copyOf(values);
        if (min > copy.size()) {
            throw new IllegalArgumentException("fewer than " + min + " values");
        }
        return r -> {
            while (true) {
                List<T> out = new ArrayList<>();
                for (T v : copy) {
                    if (r.nextBoolean()) {
                        out.add(v);
                    }
                }
                if (out.size() >= min) {
                    return out;
                }
            }
        };
    }

    /** {@code min} to {@code max} of {@code words} joined by single spaces; pass Unicode words for Unicode text. */
    static Gen<String> words(List<String> words, int min, int max) {
        return choose(words).list(min, max).map(l -> String.join(" ", l));
    }

    /** {@code unit} repeated {@code min} to {@code max} times: very long strings of a known shape. */
    static Gen<String> repeated(String unit, int min, int max) {
        return ints(min, max).map(unit::repeat);
    }
}
