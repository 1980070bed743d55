package io.dpo4j.core.data.props;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.TestAbortedException;

/**
 * A seeded property runner on plain JUnit 5: from a {@code @TestFactory}, {@code
 * Cases.forAll(gen).tries(400).check(this::check)} returns one {@link DynamicTest} per case, named
 * with its case seed. The case seeds follow from a fixed base seed and the factory's class and method
 * name (renaming either changes them), so every run generates the same cases.
 *
 * <p>When a case fails, its input is shrunk if a shrinker is given: the first smaller candidate that
 * still fails replaces it, until none does; the failure names the smallest input, the original one,
 * and the command that replays the case. The property's later cases are then skipped (aborted), as
 * they would mostly repeat the failure. System properties (Maven passes {@code -D} options on):
 *
 * <ul>
 *   <li>{@value #REPLAY}: a case seed, as shown in a case's name; each property runs that case only.
 *   <li>{@value #SEED}: another base seed, to explore other cases; its case seeds replay as above.
 * </ul>
 */
public final class Cases {

    /** The base seed of all properties, unless {@value #SEED} says otherwise. */
    public static final long BASE_SEED = 0x64706f346aL; // "dpo4j"

    /** The system property that overrides {@link #BASE_SEED}. */
    public static final String SEED = "dpo4j.props.seed";

    /** The system property that names one case seed to replay. */
    public static final String REPLAY = "dpo4j.props.replay";

    /** At most this many candidates are checked while shrinking one failure. */
    static final int SHRINK_BUDGET = 1_000;

    private static final ThreadLocal<Boolean> SHRINKING = ThreadLocal.withInitial(() -> false);

    private Cases() {
    }

    /** A property over the values of {@code gen}; name it by calling this from its {@code @TestFactory} method. */
    public static <T> Property<T> forAll(Gen<T> gen) {
        StackWalker.StackFrame caller = StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().equals(Cases.class.getName()) && !f.getClassName().startsWith(Cases.class.getName() + "$"))
                .findFirst().orElseThrow());
        String className = caller.getClassName();
        String id = className.substring(className.lastIndexOf('.') + 1) + "#" + caller.getMethodName();
        return new Property<>(id, gen, 100, v -> Stream.empty());
    }

    /**
     * Whether the check now running is a shrinking candidate rather than a generated case: checks that
     * count their cases somewhere should not count these.
     */
    public static boolean shrinking() {
        return SHRINKING.get();
    }

    /** A seed as case names show it. */
    public static String format(long seed) {
        return String.format(Locale.ROOT, "0x%016x", seed);
    }

    /** A seed as {@link #format} shows it, or in decimal. */
    public static long parse(String seed) {
        String s = seed.strip().toLowerCase(Locale.ROOT);
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }

    /** The case seeds of a property: a function of the base seed and the property's name only. */
    static long[] caseSeeds(long base, String id, int tries) {
        SplittableRandom seeds = new SplittableRandom(base * 0x9E3779B97F4A7C15L + id.hashCode());
        long[] out = new long[tries];
        for (int i = 0; i < tries; i++) {
            out[i] = seeds.nextLong();
        }
        return out;
    }

    /**
     * A property under construction.
     *
     * @param id the test class's simple name and the factory method's name, as in {@code Class#method}
     * @param gen the generator of inputs
     * @param tries the number of cases
     * @param shrinker the smaller candidates of a failing input, most promising first
     */
    public record Property<T>(String id, Gen<T> gen, int tries, Function<? super T, ? extends Stream<? extends T>> shrinker) {

        /** The same property with {@code n} cases. */
        public Property<T> tries(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("tries " + n);
            }
            return new Property<>(id, gen, n, shrinker);
        }

        /** The same property, shrinking a failing input through {@code smaller}. */
        public Property<T> shrinkWith(Function<? super T, ? extends Stream<? extends T>> smaller) {
            return new Property<>(id, gen, tries, smaller);
        }

        /** One dynamic test per case, each generating its input from its seed and passing it to {@code check}. */
        public Stream<DynamicTest> check(Consumer<? super T> check) {
            String replay = System.getProperty(REPLAY, "");
            if (!replay.isBlank()) {
                long seed = parse(replay);
                return Stream.of(DynamicTest.dynamicTest("replay of seed " + format(seed), () -> run(check, "the replay", seed)));
            }
            String base = System.getProperty(SEED, "");
            long[] seeds = caseSeeds(base.isBlank() ? BASE_SEED : parse(base), id, tries);
            AtomicReference<String> failed = new AtomicReference<>();
            List<DynamicTest> tests = new ArrayList<>(tries);
            for (int i = 0; i < tries; i++) {
                String name = "case " + (i + 1) + " of " + tries;
                long seed = seeds[i];
                tests.add(DynamicTest.dynamicTest(name + ", seed " + format(seed), () -> {
                    // Like other property runners, stop at the first failure: the rest would mostly repeat it.
                    if (failed.get() != null) {
                        throw new TestAbortedException("not run: " + failed.get() + " failed already");
                    }
                    try {
                        run(check, name, seed);
                    } catch (AssertionError e) {
                        failed.set(name + " (seed " + format(seed) + ")");
                        throw e;
                    }
                }));
            }
            return tests.stream();
        }

        private void run(Consumer<? super T> check, String name, long seed) {
            T input = gen.next(new SplittableRandom(seed));
            Throwable failure = failure(check, input);
            if (failure == null) {
                return;
            }
            if (failure instanceof TestAbortedException || failure instanceof OutOfMemoryError) {
                sneakyThrow(failure);
            }
            // Shrink: take the first smaller candidate that still fails, until none does.
            T smallest = input;
            int steps = 0;
            int checked = 0;
            boolean smaller = true;
            while (smaller && checked < SHRINK_BUDGET) {
                smaller = false;
                Iterator<? extends T> candidates = shrinker.apply(smallest).iterator();
                while (candidates.hasNext() && checked < SHRINK_BUDGET) {
                    T candidate = candidates.next();
                    checked++;
                    Throwable f = shrinkFailure(check, candidate);
                    if (f != null && !(f instanceof TestAbortedException)) {
                        smallest = candidate;
                        failure = f;
                        steps++;
                        smaller = true;
                        break;
                    }
                }
            }
            StringBuilder message = new StringBuilder()
                    .append(id).append(" failed at ").append(name).append(", seed ").append(format(seed)).append('\n')
                    .append("replay: mvn -B -pl ").append(module()).append(" -am test -Dsurefire.failIfNoSpecifiedTests=false -Dtest='").append(id)
                    .append("' -D").append(REPLAY).append('=').append(format(seed)).append('\n');
            if (steps > 0) {
                message.append("smallest failing input (").append(steps).append(" shrinking steps, ").append(checked)
                        .append(" candidates checked):\n").append(smallest).append('\n')
                        .append("its failure: ").append(failure).append('\n')
                        .append("generated input:\n").append(input);
            } else {
                message.append("input").append(checked > 0 ? " (no smaller input fails)" : "").append(":\n").append(input);
            }
            throw new AssertionError(message.toString(), failure);
        }

        private static <V> Throwable failure(Consumer<? super V> check, V input) {
            try {
                check.accept(input);
                return null;
            } catch (Throwable t) {
                return t;
            }
        }

        private static <V> Throwable shrinkFailure(Consumer<? super V> check, V input) {
            SHRINKING.set(true);
            try {
                return failure(check, input);
            } finally {
                SHRINKING.set(false);
            }
        }
    }

    /** The Maven module whose tests are running (for the replay command), dpo-core when unknown. */
    static String module() {
        String basedir = System.getProperty("basedir", "");
        String name = basedir.isBlank() ? "" : java.nio.file.Path.of(basedir).getFileName().toString();
        return name.startsWith("dpo-") ? name : "dpo-core";
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
        throw (E) t;
    }
}
