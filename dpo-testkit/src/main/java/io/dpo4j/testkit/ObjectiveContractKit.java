package io.dpo4j.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import io.dpo4j.api.AbstractObjective;
import io.dpo4j.api.ConfiguredObjective;
import io.dpo4j.api.DataLayout;
import io.dpo4j.api.Hyperparameter;
import io.dpo4j.api.InvalidHyperparametersException;
import io.dpo4j.api.ObjectiveRequirements;
import io.dpo4j.api.ObjectiveResult;
import io.dpo4j.api.PreferenceObjective;
import io.dpo4j.api.Semantics;
import io.dpo4j.api.SequenceStatistics;
import io.dpo4j.api.Statistic;
import io.dpo4j.api.check.LossCaseEvaluator;
import io.dpo4j.api.check.LossCaseResult;
import io.dpo4j.api.math.ObjectiveMath;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.math3.analysis.UnivariateFunction;
import org.apache.commons.math3.analysis.differentiation.DerivativeStructure;
import org.apache.commons.math3.analysis.differentiation.FiniteDifferencesDifferentiator;
import org.apache.commons.math3.analysis.differentiation.UnivariateDifferentiableFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The contract every {@link PreferenceObjective} must honour, as an abstract JUnit 5 test. A module
 * (or a third-party plugin) checks its objective with a few lines:
 *
 * <pre>{@code
 * class HingeObjectiveTest extends ObjectiveContractKit {
 *     protected PreferenceObjective objective() { return new HingeObjective(); }
 *     protected String expectedId() { return "hinge"; }
 * }
 * }</pre>
 *
 * and golden values in {@code src/test/resources/golden/<id>/NAME.json} with
 * {@code NAME.expected.json} beside it (the {@code dpo loss} format, computed independently).
 *
 * <p>Groups: identity and discovery, configuration errors (choices included), numerics (finite,
 * batch-mean invariant under permutation and duplication, gradients that follow the rows, the
 * gradient-accumulation identity unless the objective declares itself batch-coupled, a row-local gradient
 * when declared (what the single-pass kernel relies on), deterministic,
 * inputs unmodified, extreme gaps), semantics (raising the chosen log-prob lowers the loss, or the
 * direction the objective declares in {@link ConfiguredObjective#semantics()}, reported), gradients
 * against Commons Math finite differences (stop-gradient terms held fixed), golden values. Numerics
 * and gradients run for every parameter set of {@link #parameterSets()}.
 */
public abstract class ObjectiveContractKit {

    /** Log-ratio gaps up to this size must give a finite loss and finite gradients. */
    protected static final double EXTREME_GAP = 1e4;

    private static NDManager sharedManager;

    /** A new instance of the objective under test. */
    protected abstract PreferenceObjective objective();

    /** The id the objective must report and be discovered under. */
    protected abstract String expectedId();

    /** Class-path folder of the golden cases. Default: {@code golden/<id>}. */
    protected String goldenFolder() {
        return "golden/" + expectedId();
    }

    /**
     * Parameter sets the numeric and gradient checks run with. Default: the defaults, then each
     * hyperparameter moved on its own (real values to another valid value, flags flipped, each other
     * value of a choice), then all moved at once. Override to add sets that reach other code paths.
     */
    protected List<Map<String, Object>> parameterSets() {
        List<Map<String, Object>> sets = new ArrayList<>();
        sets.add(Map.of());
        Map<String, Object> all = new LinkedHashMap<>();
        for (Hyperparameter h : objective().hyperparameters()) {
            if (h.type() == Hyperparameter.Type.CHOICE) {
                // every other value of a choice is its own code path
                for (String c : h.choices()) {
                    if (!c.equals(h.defaultValue())) {
                        sets.add(Map.of(h.name(), c));
                        all.putIfAbsent(h.name(), c);
                    }
                }
                continue;
            }
            Object moved = movedValue(h);
            if (moved != null) {
                sets.add(Map.of(h.name(), moved));
                all.put(h.name(), moved);
            }
        }
        if (all.size() > 1) {
            sets.add(all);
        }
        return sets;
    }

    /** Number of rows in generated batches. */
    protected int batchSize() {
        return 6;
    }

    private static Object movedValue(Hyperparameter h) {
        if (h.type() == Hyperparameter.Type.FLAG) {
            return !(Boolean) h.defaultValue();
        }
        double d = (Double) h.defaultValue();
        for (double candidate : new double[] {d * 2, d + 0.25, d / 2, d - 0.25, d + 1}) {
            if (candidate != d && h.range().contains(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** One NDManager for the whole test JVM; every check opens and closes a sub-manager. */
    protected static synchronized NDManager manager() {
        if (sharedManager == null) {
            sharedManager = NDManager.newBaseManager();
        }
        return sharedManager;
    }

    @AfterAll
    static void releaseEngineMemory() {
        System.gc();
    }

    /** The loss, gradients and metrics of a configured objective on a batch, in {@code dtype}. */
    protected LossCaseResult evaluate(ConfiguredObjective objective, HostBatch batch, DataType dtype) {
        return LossCaseEvaluator.evaluate(objective, batch.toLossCase(objective.id(), Map.of()), manager(), dtype);
    }

    private ConfiguredObjective configured(Map<String, Object> params) {
        return objective().configure(params);
    }

    private DataLayout layout() {
        return objective().requirements().layout();
    }

    private HostBatch realistic(long seed, double spread) {
        return Batches.realistic(new Random(seed), layout(), batchSize(), spread);
    }

    private static Stream<DynamicTest> perSet(List<Map<String, Object>> sets, String what,
            java.util.function.Consumer<Map<String, Object>> check) {
        return sets.stream().map(p -> DynamicTest.dynamicTest(what + " with " + (p.isEmpty() ? "defaults" : p),
                () -> check.accept(p)));
    }

    private static void assertClose(double actual, double expected, double relative, double absolute, String what) {
        double tolerance = relative * Math.abs(expected) + absolute;
        if (!(Math.abs(actual - expected) <= tolerance)) {
            fail(what + ": expected " + expected + " but was " + actual + " (tolerance " + tolerance + ")");
        }
    }

    private static double maxAbs(Map<String, double[]> gradients) {
        return gradients.values().stream().flatMapToDouble(java.util.Arrays::stream).map(Math::abs).max().orElse(0);
    }

    // ------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("identity and discovery")
    class Identity {

        @Test
        @DisplayName("the id is the expected stable lower-case id")
        void idIsStable() {
            assertThat(objective().id()).isEqualTo(expectedId()).matches(AbstractObjective.ID);
            assertThat(objective().id()).isEqualTo(objective().id());
        }

        @Test
        @DisplayName("ServiceLoader discovers exactly one provider of this id, of this class")
        void discoveredByServiceLoader() {
            Class<?> type = objective().getClass();
            List<ServiceLoader.Provider<PreferenceObjective>> providers = ServiceLoader
                    .load(PreferenceObjective.class, type.getClassLoader()).stream().collect(Collectors.toList());
            assertThat(providers).as("providers listed in META-INF/services/%s of the class path",
                    PreferenceObjective.class.getName())
                    .anyMatch(p -> p.type().equals(type));
            List<String> sameId = providers.stream().map(ServiceLoader.Provider::get)
                    .filter(o -> o.id().equals(expectedId())).map(o -> o.getClass().getName()).toList();
            assertThat(sameId).as("classes discovered with id '%s'", expectedId()).containsExactly(type.getName());
        }

        @Test
        @DisplayName("it describes itself in one non-blank line")
        void describesItself() {
            assertThat(objective().description()).isNotBlank().doesNotContain("\n");
        }

        @Test
        @DisplayName("every hyperparameter has a unique snake_case name, a description and a valid default")
        void hyperparametersAreDeclared() {
            List<Hyperparameter> hs = objective().hyperparameters();
            assertThat(hs.stream().map(Hyperparameter::name)).doesNotHaveDuplicates();
            for (Hyperparameter h : hs) {
                assertThat(h.name()).matches("[a-z][a-z0-9_]*");
                assertThat(h.description()).as("description of %s", h.name()).isNotBlank().doesNotContain("\n");
                if (h.type() == Hyperparameter.Type.REAL) {
                    assertThat(h.range().contains((Double) h.defaultValue())).as("default of %s in range", h.name())
                            .isTrue();
                }
            }
        }

        @Test
        @DisplayName("requirements are declared as data and match the default configuration")
        void requirementsAreConsistent() {
            ObjectiveRequirements req = objective().requirements();
            assertThat(req.reads()).isNotEmpty().allMatch(s -> s.layout() == req.layout());
            assertThat(req.reads()).anyMatch(Statistic::isTrainable);
            assertThat(objective().configureDefaults().requirements()).isEqualTo(req);
            assertThat(objective().configureDefaults().id()).isEqualTo(expectedId());
        }
    }

    // ------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("configuration errors")
    class Configuration {

        @Test
        @DisplayName("defaults resolve to the declared defaults and are immutable")
        void defaultsResolve() {
            Map<String, Object> expected = new LinkedHashMap<>();
            objective().hyperparameters().forEach(h -> expected.put(h.name(), h.defaultValue()));
            Map<String, Object> actual = objective().configureDefaults().parameters().asMap();
            assertThat(actual).isEqualTo(expected);
            assertThatThrownBy(() -> actual.put("x", 1.0)).isInstanceOf(UnsupportedOperationException.class);
        }

        @Test
        @DisplayName("an unknown parameter is rejected, naming it")
        void unknownParameter() {
            assertThatThrownBy(() -> objective().configure(Map.of("no_such_parameter", 1.0)))
                    .isInstanceOf(InvalidHyperparametersException.class)
                    .hasMessageContaining("no_such_parameter").hasMessageContaining(expectedId());
        }

        @Test
        @DisplayName("a misspelt parameter gets a 'did you mean'")
        void misspeltParameter() {
            List<Hyperparameter> hs = objective().hyperparameters();
            if (hs.isEmpty()) {
                return;
            }
            String name = hs.get(0).name();
            String typo = name.length() > 2 ? name.substring(0, name.length() - 1) + "x" : name + "x";
            assertThatThrownBy(() -> objective().configure(Map.of(typo, hs.get(0).defaultValue())))
                    .hasMessageContaining("did you mean '" + name + "'");
        }

        @TestFactory
        @DisplayName("a misspelt value of a choice is rejected with the allowed values and a 'did you mean'")
        Stream<DynamicTest> misspeltChoice() {
            return objective().hyperparameters().stream().filter(h -> h.type() == Hyperparameter.Type.CHOICE)
                    .flatMap(h -> h.choices().stream().map(c -> DynamicTest.dynamicTest(h.name() + " = " + c + " misspelt",
                            () -> {
                                String typo = c.substring(0, c.length() - 1) + (c.endsWith("x") ? "y" : "x");
                                assertThatThrownBy(() -> objective().configure(Map.of(h.name(), typo)))
                                        .isInstanceOf(InvalidHyperparametersException.class)
                                        .hasMessageContaining(h.rule()).hasMessageContaining("did you mean '" + c + "'");
                                assertThat(objective().configure(Map.of(h.name(), c)).parameters().asMap())
                                        .containsEntry(h.name(), c);
                            })));
        }

        @TestFactory
        @DisplayName("every out-of-range, non-finite or mistyped value is rejected with field, value and rule")
        Stream<DynamicTest> invalidValues() {
            List<DynamicTest> tests = new ArrayList<>();
            for (Hyperparameter h : objective().hyperparameters()) {
                for (Object bad : invalidValuesOf(h)) {
                    tests.add(DynamicTest.dynamicTest(h.name() + " = " + bad, () -> assertThatThrownBy(
                            () -> objective().configure(Map.of(h.name(), bad)))
                            .isInstanceOf(InvalidHyperparametersException.class)
                            .hasMessageContaining(h.name()).hasMessageContaining(String.valueOf(bad))
                            .hasMessageContaining(h.rule())));
                }
            }
            return tests.stream();
        }

        @Test
        @DisplayName("all invalid fields are reported at once")
        void allAtOnce() {
            Map<String, Object> bad = new LinkedHashMap<>();
            for (Hyperparameter h : objective().hyperparameters()) {
                bad.put(h.name(), invalidValuesOf(h).get(0));
            }
            bad.put("no_such_parameter", 1.0);
            try {
                objective().configure(bad);
                fail("configure accepted " + bad);
            } catch (InvalidHyperparametersException e) {
                assertThat(e.violations()).hasSize(bad.size());
                assertThat(e.objectiveId()).isEqualTo(expectedId());
            }
        }

        private List<Object> invalidValuesOf(Hyperparameter h) {
            List<Object> bad = new ArrayList<>();
            if (h.type() == Hyperparameter.Type.FLAG) {
                bad.add("maybe");
                bad.add(3.0);
                return bad;
            }
            if (h.type() == Hyperparameter.Type.CHOICE) {
                bad.add("no_such_value");
                bad.add(3.0);
                bad.add(true);
                return bad;
            }
            bad.add("not-a-number");
            bad.add(Double.NaN);
            bad.add(Double.POSITIVE_INFINITY);
            if (h.range().lower() != Double.NEGATIVE_INFINITY) {
                bad.add(h.range().lowerInclusive() ? h.range().lower() - 0.5 : h.range().lower());
            }
            if (h.range().upper() != Double.POSITIVE_INFINITY) {
                bad.add(h.range().upperInclusive() ? h.range().upper() + 0.5 : h.range().upper());
            }
            bad.add(true);
            return bad;
        }
    }

    // ------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("numerics")
    class Numerics {

        @TestFactory
        @DisplayName("loss and metrics are finite on realistic batches, in float32 and float64")
        Stream<DynamicTest> finite() {
            return perSet(parameterSets(), "finite", p -> {
                for (DataType dtype : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
                    for (long seed = 1; seed <= 3; seed++) {
                        LossCaseResult r = evaluate(configured(p), realistic(seed, 3.0), dtype);
                        assertThat(Double.isFinite(r.loss())).as("loss (%s, seed %d)", dtype, seed).isTrue();
                        r.metrics().forEach((k, v) -> assertThat(Double.isFinite(v)).as("metric %s", k).isTrue());
                        r.gradients().forEach((k, v) -> assertThat(java.util.Arrays.stream(v).allMatch(Double::isFinite))
                                .as("gradient %s finite: %s", k, java.util.Arrays.toString(v)).isTrue());
                    }
                }
            });
        }

        @TestFactory
        @DisplayName("the 'loss' metric equals the loss, and paired objectives report TRL's reward metrics")
        Stream<DynamicTest> metrics() {
            return perSet(parameterSets(), "metrics", p -> {
                LossCaseResult r = evaluate(configured(p), realistic(7, 2.0), DataType.FLOAT64);
                assertThat(r.metrics()).containsKey("loss");
                assertClose(r.metrics().get("loss"), r.loss(), 1e-12, 1e-15, "metric 'loss'");
                if (layout() == DataLayout.PAIRED) {
                    assertThat(r.metrics()).containsKeys("rewards/chosen", "rewards/rejected", "rewards/margins",
                            "rewards/accuracies", "logps/chosen", "logps/rejected");
                    assertThat(r.metrics().get("rewards/accuracies")).isBetween(0.0, 1.0);
                }
            });
        }

        @TestFactory
        @DisplayName("the batch loss is a mean: invariant under permutation and duplication of the batch")
        Stream<DynamicTest> batchMean() {
            return perSet(parameterSets(), "batch mean", p -> {
                ConfiguredObjective o = configured(p);
                HostBatch batch = realistic(11, 3.0);
                double base = evaluate(o, batch, DataType.FLOAT64).loss();
                int n = batch.rows();
                int[] reversed = new int[n];
                int[] rotated = new int[n];
                for (int i = 0; i < n; i++) {
                    reversed[i] = n - 1 - i;
                    rotated[i] = (i + 2) % n;
                }
                assertClose(evaluate(o, batch.permuted(reversed), DataType.FLOAT64).loss(), base, 1e-12, 1e-15,
                        "loss of the reversed batch");
                assertClose(evaluate(o, batch.permuted(rotated), DataType.FLOAT64).loss(), base, 1e-12, 1e-15,
                        "loss of the rotated batch");
                assertClose(evaluate(o, batch.duplicated(), DataType.FLOAT64).loss(), base, 1e-12, 1e-15,
                        "loss of the batch twice over");
            });
        }

        @TestFactory
        @DisplayName("gradients follow the rows: a permuted batch permutes them, a duplicated batch halves them")
        Stream<DynamicTest> gradientsFollowRows() {
            return perSet(parameterSets(), "gradients follow rows", p -> {
                ConfiguredObjective o = configured(p);
                HostBatch batch = realistic(41, 3.0);
                LossCaseResult base = evaluate(o, batch, DataType.FLOAT64);
                double scale = Math.max(1e-300, maxAbs(base.gradients()));
                int n = batch.rows();
                int[] rotated = new int[n];
                for (int i = 0; i < n; i++) {
                    rotated[i] = (i + 3) % n;
                }
                LossCaseResult perm = evaluate(o, batch.permuted(rotated), DataType.FLOAT64);
                LossCaseResult dup = evaluate(o, batch.duplicated(), DataType.FLOAT64);
                base.gradients().forEach((k, g) -> {
                    for (int i = 0; i < n; i++) {
                        assertClose(perm.gradients().get(k)[i], g[rotated[i]], 1e-10, 1e-13 * scale,
                                "gradient " + k + "[" + i + "] of the rotated batch");
                        assertClose(dup.gradients().get(k)[i], g[i] / 2, 1e-10, 1e-13 * scale,
                                "gradient " + k + "[" + i + "] of the batch twice over");
                        assertClose(dup.gradients().get(k)[i + n], g[i] / 2, 1e-10, 1e-13 * scale,
                                "gradient " + k + "[" + (i + n) + "] of the batch twice over");
                    }
                });
            });
        }

        @TestFactory
        @DisplayName("gradient accumulation: a batch's loss is the mean of its two halves' losses, unless declared batch-coupled")
        Stream<DynamicTest> accumulation() {
            return parameterSets().stream().map(p -> DynamicTest.dynamicTest((configured(p).requirements().batchCoupled()
                    ? "declared batch-coupled: accumulation identity replaced by permutation and duplication invariance"
                    : "accumulation identity") + " with " + (p.isEmpty() ? "defaults" : p), () -> {
                ConfiguredObjective o = configured(p);
                if (o.requirements().batchCoupled()) {
                    // Declared batch-coupled (sorting or a batch statistic): micro-batches cannot reproduce one
                    // batch, so the accumulation identity does not apply; the permutation, duplication and
                    // gradient-following checks above stand in for it.
                    HostBatch[] halves = halves();
                    double a = evaluate(o, halves[0], DataType.FLOAT64).loss();
                    double b = evaluate(o, halves[1], DataType.FLOAT64).loss();
                    double whole = evaluate(o, halves[0].concat(halves[1]), DataType.FLOAT64).loss();
                    assertThat(Double.isFinite(whole)).isTrue();
                    report(expectedId() + " " + (p.isEmpty() ? "defaults" : p) + " is declared batch-coupled: "
                            + "accumulation identity replaced by permutation and duplication invariance (here one "
                            + "batch gives " + whole + ", the mean of its halves " + (a + b) / 2 + ")");
                    return;
                }
                HostBatch[] halves = halves();
                double a = evaluate(o, halves[0], DataType.FLOAT64).loss();
                double b = evaluate(o, halves[1], DataType.FLOAT64).loss();
                double whole = evaluate(o, halves[0].concat(halves[1]), DataType.FLOAT64).loss();
                assertClose(whole, (a + b) / 2, 1e-10, 1e-14,
                        "loss of the joined batch against the mean of its halves (declare batchCoupled if the "
                                + "objective couples the rows of a batch)");
            }));
        }

        @TestFactory
        @DisplayName("row-local gradient (the single-pass kernel): when declared, a row's gradient does not move with the other rows' policy statistics")
        Stream<DynamicTest> rowLocalGradient() {
            return parameterSets().stream().map(p -> DynamicTest.dynamicTest((configured(p).rowLocalGradient()
                    ? "declared row-local: gradients with the other rows as placeholders equal the whole batch's"
                    : "not declared row-local: the two-pass kernel only") + " with " + (p.isEmpty() ? "defaults" : p),
                    () -> {
                ConfiguredObjective o = configured(p);
                if (!o.rowLocalGradient()) {
                    report(expectedId() + " " + (p.isEmpty() ? "defaults" : p) + " does not declare a row-local "
                            + "gradient: it trains on the two-pass kernel path");
                    return;
                }
                assertThat(o.requirements().batchCoupled())
                        .as("%s declares a row-local gradient and is batch-coupled: it must not be both", expectedId())
                        .isFalse();
                HostBatch batch = realistic(43, 3.0);
                HostBatch other = realistic(47, 3.0);
                LossCaseResult whole = evaluate(o, batch, DataType.FLOAT64);
                double scale = Math.max(1e-300, maxAbs(whole.gradients()));
                int n = batch.rows();
                for (int known : new int[] {1, n / 2, n - 1}) {
                    // As the single-pass kernel asks: rows [0, known) scored, the others not yet, holding
                    // placeholders (another batch's values; the kernel's own −n·ln V).
                    for (boolean uniform : new boolean[] {false, true}) {
                        HostBatch mixed = batch;
                        for (Statistic s : batch.columns().keySet()) {
                            if (s.kind() != Statistic.Kind.POLICY_LOGP) {
                                continue;
                            }
                            double[] v = batch.column(s).clone();
                            double[] tokens = tokensOf(batch, s);
                            for (int i = known; i < n; i++) {
                                v[i] = uniform ? -tokens[i] * Math.log(50_000) : other.column(s)[i];
                            }
                            mixed = mixed.withColumn(s, v);
                        }
                        LossCaseResult part = evaluate(o, mixed, DataType.FLOAT64);
                        for (Map.Entry<String, double[]> e : whole.gradients().entrySet()) {
                            for (int i = 0; i < known; i++) {
                                assertClose(part.gradients().get(e.getKey())[i], e.getValue()[i], 1e-12, 1e-14 * scale,
                                        "gradient " + e.getKey() + "[" + i + "] with rows " + known + ".." + (n - 1)
                                                + " replaced by " + (uniform ? "−n·ln V" : "another batch's values")
                                                + " (a declared row-local gradient must not depend on other rows'"
                                                + " policy statistics)");
                            }
                        }
                    }
                }
            }));
        }

        private double[] tokensOf(HostBatch batch, Statistic policy) {
            Statistic count = policy == Statistic.POLICY_CHOSEN ? Statistic.CHOSEN_TOKENS
                    : policy == Statistic.POLICY_REJECTED ? Statistic.REJECTED_TOKENS : Statistic.TOKENS;
            if (batch.columns().containsKey(count)) {
                return batch.column(count);
            }
            double[] ones = new double[batch.rows()];
            java.util.Arrays.fill(ones, 1);
            return ones;
        }

        /**
         * Two micro-batches of equal size whose token counts sum alike and, unpaired, whose KL pairs are
         * the same: then a ratio of batch sums (an SFT term's token mean, KTO's KL point) accumulates
         * exactly, and only a genuine coupling of rows shows.
         */
        private HostBatch[] halves() {
            HostBatch a = realistic(31, 3.0);
            HostBatch b = realistic(37, 3.0);
            for (Statistic s : a.columns().keySet()) {
                if (s.kind() == Statistic.Kind.TOKEN_COUNT || s.kind() == Statistic.Kind.LABEL
                        || s.kind() == Statistic.Kind.KL_LOGP) {
                    double[] v = a.column(s);
                    if (s.kind() == Statistic.Kind.TOKEN_COUNT) {
                        double[] r = new double[v.length];
                        for (int i = 0; i < v.length; i++) {
                            r[i] = v[v.length - 1 - i];
                        }
                        v = r;
                    }
                    b = b.withColumn(s, v);
                }
            }
            return new HostBatch[] {a, b};
        }

        @TestFactory
        @DisplayName("it is deterministic: the same batch gives bit-identical loss and gradients")
        Stream<DynamicTest> deterministic() {
            return perSet(parameterSets(), "deterministic", p -> {
                HostBatch batch = realistic(13, 3.0);
                LossCaseResult a = evaluate(configured(p), batch, DataType.FLOAT64);
                LossCaseResult b = evaluate(configured(p), batch, DataType.FLOAT64);
                assertThat(b.loss()).isEqualTo(a.loss());
                a.gradients().forEach((k, v) -> assertThat(b.gradients().get(k)).isEqualTo(v));
                assertThat(b.metrics()).isEqualTo(a.metrics());
            });
        }

        @TestFactory
        @DisplayName("it never modifies its inputs")
        Stream<DynamicTest> inputsUnmodified() {
            return perSet(parameterSets(), "inputs unmodified", p -> {
                HostBatch batch = realistic(17, 3.0);
                try (NDManager sub = manager().newSubManager()) {
                    SequenceStatistics stats = batch.toStatistics(sub, DataType.FLOAT64);
                    Map<Statistic, NDArray> arrays = stats.asMap();
                    arrays.values().forEach(a -> a.setRequiresGradient(true));
                    try (GradientCollector gc = sub.getEngine().newGradientCollector()) {
                        ObjectiveResult r = configured(p).compute(stats);
                        gc.backward(r.loss());
                    }
                    for (Map.Entry<Statistic, NDArray> e : arrays.entrySet()) {
                        assertThat(ObjectiveMath.toDoubles(e.getValue())).as("statistic %s after compute",
                                e.getKey().key()).containsExactly(batch.column(e.getKey()));
                    }
                }
            });
        }

        @TestFactory
        @DisplayName("log-prob gaps of ±1e4 give a finite loss and finite gradients")
        Stream<DynamicTest> extremeGaps() {
            return perSet(parameterSets(), "extreme gaps", p -> {
                for (DataType dtype : new DataType[] {DataType.FLOAT32, DataType.FLOAT64}) {
                    LossCaseResult r = evaluate(configured(p), Batches.extreme(layout(), EXTREME_GAP), dtype);
                    assertThat(Double.isFinite(r.loss())).as("loss at ±%s gaps (%s)", EXTREME_GAP, dtype).isTrue();
                    r.gradients().forEach((k, v) -> assertThat(java.util.Arrays.stream(v).allMatch(Double::isFinite))
                            .as("gradient %s (%s) finite: %s", k, dtype, java.util.Arrays.toString(v)).isTrue());
                }
            });
        }
    }

    // ------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("semantics")
    class SemanticsChecks {

        @TestFactory
        @DisplayName("raising a chosen (desirable) log-prob lowers the loss; raising a rejected one raises it — or the declared direction")
        Stream<DynamicTest> chosenUpLossDown() {
            ConfiguredObjective o = objective().configureDefaults();
            Semantics declared = o.semantics();
            if (!declared.isMonotone()) {
                report(expectedId() + " declares: " + declared.describe());
            }
            HostBatch batch = realistic(19, 0.3);
            double base = evaluate(o, batch, DataType.FLOAT64).loss();
            List<DynamicTest> tests = new ArrayList<>();
            Statistic better = layout() == DataLayout.PAIRED ? Statistic.POLICY_CHOSEN : Statistic.POLICY;
            double[] desirable = layout() == DataLayout.PAIRED ? null : batch.column(Statistic.DESIRABLE);
            tests.add(direction(o, batch, base, better, declared.whenChosenRises(), desirable, declared));
            if (layout() == DataLayout.PAIRED) {
                tests.add(direction(o, batch, base, Statistic.POLICY_REJECTED, declared.whenRejectedRises(), null,
                        declared));
            }
            return tests.stream();
        }

        private DynamicTest direction(ConfiguredObjective o, HostBatch batch, double base, Statistic s,
                Semantics.Direction expected, double[] desirable, Semantics declared) {
            String name = "raising " + s.key() + ": " + (declared.isMonotone() ? "expected to "
                    + (expected == Semantics.Direction.LOWERS ? "lower" : "raise") + " the loss"
                    : "declared '" + expected.label() + "' by the objective (" + declared.reason() + ")");
            return DynamicTest.dynamicTest(name, () -> {
                if (expected == Semantics.Direction.EITHER) {
                    report(expectedId() + ": raising " + s.key() + " is declared to move the loss either way; "
                            + "direction not checked (" + declared.reason() + ")");
                    return;
                }
                double[] values = batch.column(s);
                for (int i = 0; i < values.length; i++) {
                    double delta = Math.min(0.5, -values[i] / 2);
                    double moved = evaluate(o, batch.with(s, i, values[i] + delta), DataType.FLOAT64).loss();
                    boolean flip = desirable != null && desirable[i] < 0.5;
                    boolean lowers = (expected == Semantics.Direction.LOWERS) != flip;
                    if (lowers) {
                        assertThat(moved).as("loss after raising %s[%d]%s", s.key(), i, flip ? " (undesirable)" : "")
                                .isLessThan(base);
                    } else {
                        assertThat(moved).as("loss after raising %s[%d]%s", s.key(), i, flip ? " (undesirable)" : "")
                                .isGreaterThan(base);
                    }
                }
            });
        }
    }

    // ------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("gradients")
    class Gradients {

        @TestFactory
        @DisplayName("the autograd gradient equals a Commons Math finite-difference gradient")
        Stream<DynamicTest> matchFiniteDifferences() {
            return perSet(parameterSets(), "gradient", p -> {
                ConfiguredObjective o = configured(p);
                for (long seed = 23; seed <= 24; seed++) {
                    HostBatch batch = realistic(seed, 3.0);
                    LossCaseResult auto = evaluate(o, batch, DataType.FLOAT64);
                    Map<String, double[]> numeric = finiteDifferences(o, batch);
                    double scale = maxAbs(numeric);
                    assertThat(auto.gradients().keySet()).isEqualTo(numeric.keySet());
                    numeric.forEach((k, fd) -> {
                        double[] ag = auto.gradients().get(k);
                        for (int i = 0; i < fd.length; i++) {
                            assertClose(ag[i], fd[i], 1e-6, 1e-9 * Math.max(1, scale),
                                    "d loss / d " + k + "[" + i + "]");
                        }
                    });
                }
            });
        }

        @TestFactory
        @DisplayName("holding the stop-gradient terms at their own values changes nothing")
        Stream<DynamicTest> heldTermsAreConsistent() {
            return perSet(parameterSets(), "held terms", p -> {
                ConfiguredObjective o = configured(p);
                HostBatch batch = realistic(43, 3.0);
                Map<String, Double> held = LossCaseEvaluator.stopGradientTerms(o, batch.toLossCase(o.id(), Map.of()),
                        manager());
                if (!held.isEmpty()) {
                    report(expectedId() + " " + (p.isEmpty() ? "defaults" : p) + ": stop-gradient terms " + held
                            + " held fixed in the finite-difference check");
                }
                LossCaseResult free = evaluate(o, batch, DataType.FLOAT64);
                LossCaseResult fixed = LossCaseEvaluator.evaluate(o, batch.toLossCase(o.id(), Map.of()), manager(),
                        DataType.FLOAT64, held);
                assertClose(fixed.loss(), free.loss(), 1e-13, 1e-15, "loss with the terms held at their own values");
                free.gradients().forEach((k, g) -> assertThat(fixed.gradients().get(k)).containsExactly(g));
            });
        }

        @TestFactory
        @DisplayName("gradients do not depend on garbage collection between forward and backward")
        Stream<DynamicTest> survivesGarbageCollection() {
            return perSet(parameterSets(), "gradient after GC", p -> {
                ConfiguredObjective o = configured(p);
                HostBatch batch = realistic(29, 3.0);
                LossCaseResult reference = evaluate(o, batch, DataType.FLOAT64);
                for (int round = 0; round < 3; round++) {
                    try (NDManager sub = manager().newSubManager()) {
                        SequenceStatistics stats = batch.restrictedTo(o.requirements().reads())
                                .toStatistics(sub, DataType.FLOAT64);
                        Map<Statistic, NDArray> trainable = new EnumMap<>(Statistic.class);
                        stats.asMap().forEach((k, a) -> {
                            if (k.isTrainable()) {
                                a.setRequiresGradient(true);
                                trainable.put(k, a);
                            }
                        });
                        try (GradientCollector gc = sub.getEngine().newGradientCollector()) {
                            ObjectiveResult r = o.compute(stats);
                            // Free and overwrite memory the forward pass may have borrowed from Java
                            // (DJL's NDArray.mul(Number) and friends do): a correct objective keeps every
                            // tensor its backward needs alive (io.dpo4j.api.math.Scalars).
                            scribbleOverFreedDirectMemory();
                            gc.backward(r.loss());
                        }
                        trainable.forEach((k, a) -> assertThat(ObjectiveMath.toDoubles(a.getGradient()))
                                .as("gradient of %s after a garbage collection between forward and backward "
                                        + "(use io.dpo4j.api.math.Scalars, not NDArray.mul(Number))", k.key())
                                .containsExactly(reference.gradients().get(k.key())));
                    }
                }
            });
        }

        private Map<String, double[]> finiteDifferences(ConfiguredObjective o, HostBatch batch) {
            FiniteDifferencesDifferentiator differentiator = new FiniteDifferencesDifferentiator(5, 1e-4);
            // Stop-gradient terms (bco_pair's δ, KTO's z) carry no gradient by definition: hold them at their
            // values on the unperturbed batch, or the difference quotient differentiates through them.
            Map<String, Double> held = LossCaseEvaluator.stopGradientTerms(o, batch.toLossCase(o.id(), Map.of()),
                    manager());
            Map<String, double[]> out = new LinkedHashMap<>();
            for (Statistic s : o.requirements().reads()) {
                if (!s.isTrainable()) {
                    continue;
                }
                double[] values = batch.column(s);
                double[] g = new double[values.length];
                for (int i = 0; i < values.length; i++) {
                    final int row = i;
                    UnivariateFunction f = x -> LossCaseEvaluator.evaluate(o,
                            batch.with(s, row, x).toLossCase(o.id(), Map.of()), manager(), DataType.FLOAT64, held).loss();
                    UnivariateDifferentiableFunction d = differentiator.differentiate(f);
                    g[i] = d.value(new DerivativeStructure(1, 1, 0, values[i])).getPartialDerivative(1);
                }
                out.put(s.key(), g);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("golden values")
    class GoldenValues {

        @TestFactory
        @DisplayName("independent reference values match: loss and gradients to 1e-6 (float64), 1e-4 (float32)")
        Stream<DynamicTest> golden() throws IOException {
            List<GoldenCase> cases = GoldenCase.load(getClass().getClassLoader(), goldenFolder());
            assertThat(cases).as("golden cases in class-path folder '%s' (NAME.json + NAME.expected.json)",
                    goldenFolder()).isNotEmpty();
            return cases.stream().flatMap(c -> Stream.of(DataType.FLOAT64, DataType.FLOAT32)
                    .map(dtype -> DynamicTest.dynamicTest(c.name() + " (" + dtype + ")", () -> {
                        assertThat(c.input().objective()).isEqualTo(expectedId());
                        ConfiguredObjective o = objective().configure(c.input().params());
                        LossCaseResult r = LossCaseEvaluator.evaluate(o, c.input(), manager(), dtype);
                        double rel = dtype == DataType.FLOAT64 ? 1e-6 : 1e-4;
                        double scale = maxAbs(c.gradients());
                        assertClose(r.loss(), c.loss(), rel, 1e-12, c.name() + " loss");
                        assertThat(r.gradients().keySet()).isEqualTo(c.gradients().keySet());
                        c.gradients().forEach((k, want) -> {
                            double[] got = r.gradients().get(k);
                            assertThat(got).hasSameSizeAs(want);
                            for (int i = 0; i < want.length; i++) {
                                assertClose(got[i], want[i], rel,
                                        (dtype == DataType.FLOAT64 ? 1e-12 : 1e-6) * Math.max(1e-3, scale),
                                        c.name() + " gradient " + k + "[" + i + "]");
                            }
                        });
                    })));
        }
    }

    /**
     * Reports a declaration the kit honoured instead of its default check (batch coupling, a
     * semantics direction, held stop-gradient terms): printed to standard output, so it appears in
     * the test report beside the test's name.
     */
    protected void report(String line) {
        System.out.println("[contract kit] " + line);
    }

    private static void scribbleOverFreedDirectMemory() {
        System.gc();
        System.gc();
        List<java.nio.ByteBuffer> junk = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(8).order(java.nio.ByteOrder.nativeOrder());
            b.putLong(0, 0x7ff8dead7fc0beefL);
            junk.add(b);
        }
        junk.clear();
    }

    /** Helper for subclasses: the statistics of a batch in a fresh EnumMap (for custom checks). */
    protected static Map<Statistic, double[]> columns(HostBatch batch) {
        return new EnumMap<>(batch.columns());
    }
}
