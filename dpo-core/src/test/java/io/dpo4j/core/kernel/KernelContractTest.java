package io.dpo4j.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.dpo4j.core.DpoException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Every log-prob kernel")
class KernelContractTest {

    private static NDManager root;

    @BeforeAll
    static void open() {
        root = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        root.close();
    }

    static Stream<LogProbKernel> kernels() {
        return Stream.of(new NaiveLogProbKernel(), new ChunkedLogProbKernel(), new ChunkedLogProbKernel(64));
    }

    @Nested
    @DisplayName("rejects bad input")
    class BadInput {

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.dpo4j.core.kernel.KernelContractTest#kernels")
        @DisplayName("a sequence without a response token is rejected with a DpoException naming its row")
        void emptyResponse(LogProbKernel kernel) {
            KernelBatch batch = KernelBatch.random(1, 5, 4, 9, false, new int[] {1, 3}, new int[] {0, 0}, new int[] {2, 2});
            try (NDManager m = root.newSubManager()) {
                LogProbInput input = batch.on(m, false).input(m);
                assertThatThrownBy(() -> kernel.statistics(input)).isInstanceOf(DpoException.class)
                        .hasMessageContaining("sequence 1 of the batch has no response token");
                try (GradientCollector collector = m.getEngine().newGradientCollector()) {
                    assertThatThrownBy(() -> kernel.forward(input, collector)).isInstanceOf(DpoException.class)
                            .hasMessageContaining("sequence 1 ");
                }
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.dpo4j.core.kernel.KernelContractTest#kernels")
        @DisplayName("several empty sequences are all named")
        void severalEmptyResponses(LogProbKernel kernel) {
            KernelBatch batch = KernelBatch.random(2, 4, 4, 9, false, new int[] {0, 0}, new int[] {1, 1}, new int[] {0, 0});
            try (NDManager m = root.newSubManager()) {
                LogProbInput input = batch.on(m, false).input(m);
                assertThatThrownBy(() -> kernel.statistics(input)).isInstanceOf(DpoException.class)
                        .hasMessageContaining("sequences [0, 2] of the batch have no response token");
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.dpo4j.core.kernel.KernelContractTest#kernels")
        @DisplayName("a response label outside the vocabulary is rejected with its row and position")
        void labelOutsideVocabulary(LogProbKernel kernel) {
            KernelBatch good = KernelBatch.random(3, 4, 4, 9, false, new int[] {1, 3}, new int[] {0, 4});
            long[] labels = good.labels().clone();
            labels[4 + 2] = 9;
            KernelBatch batch = new KernelBatch(good.batch(), good.length(), good.hidden(), good.vocabulary(),
                    good.states(), good.weight(), null, labels, good.mask());
            try (NDManager m = root.newSubManager()) {
                LogProbInput input = batch.on(m, false).input(m);
                assertThatThrownBy(() -> kernel.statistics(input)).isInstanceOf(DpoException.class)
                        .hasMessageContaining("sequence 1, position 2: label 9 is outside the vocabulary [0, 9)");
            }
        }

        @Test
        @DisplayName("shapes that do not fit together are rejected when the input is built")
        void badShapes() {
            try (NDManager m = root.newSubManager()) {
                NDArray h = m.zeros(new Shape(2, 3, 4));
                NDArray w = m.zeros(new Shape(7, 4));
                NDArray labels = m.zeros(new Shape(2, 3), DataType.INT64);
                NDArray mask = m.ones(new Shape(2, 3));
                assertThatThrownBy(() -> LogProbInput.of(m, h, m.zeros(new Shape(7, 5)), labels, mask))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(V, d) with d = 4");
                assertThatThrownBy(() -> LogProbInput.of(m, h, w, m.zeros(new Shape(2, 4), DataType.INT64), mask))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("labels must be (B, T)");
                assertThatThrownBy(() -> LogProbInput.of(m, h, w, labels.toType(DataType.FLOAT32, true), mask))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("int64 or int32");
                assertThatThrownBy(() -> LogProbInput.of(m, h, w, labels, m.ones(new Shape(3, 2))))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("response mask");
                assertThatThrownBy(() -> LogProbInput.of(m, h, w, labels, mask).withBias(m.zeros(new Shape(6))))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias must be (7)");
                assertThatThrownBy(() -> LogProbInput.of(m, h.reshape(6, 4), w, labels, mask))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(B, T, d)");
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.dpo4j.core.kernel.KernelContractTest#kernels")
        @DisplayName("a sequence gradient of the wrong length is rejected, and backward runs at most once")
        void backwardMisuse(LogProbKernel kernel) {
            KernelBatch batch = KernelBatch.random(4, 4, 4, 9, false, new int[] {1, 3}, new int[] {0, 4});
            try (NDManager m = root.newSubManager(); GradientCollector collector = m.getEngine().newGradientCollector()) {
                LogProbInput input = batch.on(m, true).input(m);
                KernelForward wrong = kernel.forward(input, collector);
                assertThatThrownBy(() -> wrong.backward(m.ones(new Shape(3)))).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("shape (2)");
                KernelForward once = kernel.forward(input, collector);
                once.backward(m.ones(new Shape(2)));
                assertThatThrownBy(() -> once.backward(m.ones(new Shape(2)))).isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @Nested
    @DisplayName("in statistics mode")
    class StatisticsMode {

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.dpo4j.core.kernel.KernelContractTest#kernels")
        @DisplayName("records nothing for autograd, even inside an open collector with trainable inputs")
        void noGraph(LogProbKernel kernel) {
            KernelBatch batch = KernelBatch.random(5, 6, 4, 11, true, new int[] {1, 5}, new int[] {3, 3});
            try (NDManager m = root.newSubManager(); GradientCollector collector = m.getEngine().newGradientCollector()) {
                KernelBatch.Arrays arrays = batch.on(m, true);
                SequenceLogProbs stats = kernel.statistics(arrays.input(m));
                assertThat(stats.logProbs().hasGradient()).isFalse();
                assertThatThrownBy(() -> collector.backward(stats.logProbs().sum())).isInstanceOf(EngineException.class)
                        .hasMessageContaining("does not require grad");
                assertThatThrownBy(() -> collector.backward(stats.tokenLogProbs().orElseThrow().sum()))
                        .isInstanceOf(EngineException.class);
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.dpo4j.core.kernel.KernelContractTest#kernels")
        @DisplayName("gives the same statistics as the training forward, with counts and log-probs ≤ 0")
        void sameAsTraining(LogProbKernel kernel) {
            KernelBatch batch = KernelBatch.random(6, 6, 4, 11, false, new int[] {1, 5}, new int[] {3, 3}, new int[] {5, 1});
            try (NDManager m = root.newSubManager()) {
                KernelBatch.Arrays arrays = batch.on(m, true);
                SequenceLogProbs stats = kernel.statistics(arrays.input(m));
                try (GradientCollector collector = m.getEngine().newGradientCollector();
                        KernelForward forward = kernel.forward(arrays.input(m), collector)) {
                    assertThat(forward.statistics().logProbs().toFloatArray())
                            .containsExactly(stats.logProbs().toFloatArray());
                }
                assertThat(stats.tokenCounts().toFloatArray()).containsExactly(5f, 3f, 1f);
                for (float v : stats.logProbs().toFloatArray()) {
                    assertThat(v).isNegative();
                }
                assertThat(stats.tokenLogProbs().orElseThrow().getShape()).isEqualTo(new Shape(3, 6));
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.dpo4j.core.kernel.KernelContractTest#kernels")
        @DisplayName("leaves per-token log-probs out unless asked, and accepts int32 labels and a boolean mask")
        void optionalOutputAndTypes(LogProbKernel kernel) {
            KernelBatch batch = KernelBatch.random(7, 5, 4, 11, false, new int[] {1, 4}, new int[] {2, 2});
            try (NDManager m = root.newSubManager()) {
                KernelBatch.Arrays arrays = batch.on(m, false);
                NDArray labels32 = arrays.labels().toType(DataType.INT32, true);
                NDArray boolMask = arrays.mask().toType(DataType.BOOLEAN, true);
                SequenceLogProbs plain = kernel.statistics(LogProbInput.of(m, arrays.hidden(), arrays.weight(), labels32, boolMask));
                assertThat(plain.tokenLogProbs()).isEmpty();
                Close.assertClose("log-probs", plain.logProbs().toFloatArray(), batch.hostLogProbs(), 1e-4);
            }
        }
    }

    @Nested
    @DisplayName("is picked by name")
    class Selection {

        @Test
        @DisplayName("'naive' and 'chunked' name the two implementations")
        void byName() {
            assertThat(KernelType.fromId("naive").create()).isInstanceOf(NaiveLogProbKernel.class);
            assertThat(KernelType.fromId(" Chunked ").create()).isInstanceOf(ChunkedLogProbKernel.class);
            assertThat(((ChunkedLogProbKernel) KernelType.CHUNKED.create(1024)).budgetBytes()).isEqualTo(1024);
            assertThat(KernelType.CHUNKED.create().name()).isEqualTo("chunked");
            assertThat(KernelType.NAIVE.create().name()).isEqualTo("naive");
        }

        @Test
        @DisplayName("an unknown name is rejected with the list of known ones")
        void unknown() {
            assertThatThrownBy(() -> KernelType.fromId("fused")).isInstanceOf(DpoException.class)
                    .hasMessage("unknown log-prob kernel 'fused'; known kernels: naive, chunked, single_pass");
        }

        @Test
        @DisplayName("a budget that is not positive is rejected")
        void badBudget() {
            assertThatThrownBy(() -> new ChunkedLogProbKernel(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must be positive");
        }
    }

    @Nested
    @DisplayName("(chunked) cuts the logits into tiles within the budget")
    class Tiles {

        @Test
        @DisplayName("the default budget gives 16 MiB tiles of 2048 × 2048 for the SmolLM2 shape")
        void defaultTiles() {
            assertThat(TilePlan.of(ChunkedLogProbKernel.DEFAULT_BUDGET_BYTES, 4, 4096, 49152)).isEqualTo(new TilePlan(2048, 2048));
        }

        @Test
        @DisplayName("a batch smaller than a tile's side widens the vocabulary slice, up to V")
        void narrowBatch() {
            assertThat(TilePlan.of(32L << 20, 4, 100, 49152)).isEqualTo(new TilePlan(100, 41943));
            assertThat(TilePlan.of(32L << 20, 4, 10, 1000)).isEqualTo(new TilePlan(10, 1000));
        }

        @Test
        @DisplayName("the agreement tests' small budgets give the ragged tiles their names promise")
        void agreementCases() {
            assertThat(TilePlan.of(2L * 4 * 8, 4, 10, 53)).isEqualTo(new TilePlan(2, 4));
            assertThat(TilePlan.of(2L * 4 * 9, 4, 11, 29)).isEqualTo(new TilePlan(3, 3));
            assertThat(TilePlan.of(2L * 4 * 12, 4, 14, 37)).isEqualTo(new TilePlan(3, 4));
            assertThat(TilePlan.of(2L * 4 * 4096, 4, 103, 1000)).isEqualTo(new TilePlan(64, 64));
            assertThat(TilePlan.of(8, 4, 11, 13)).isEqualTo(new TilePlan(1, 1));
        }

        @Test
        @DisplayName("a budget below two logits still makes progress one logit at a time")
        void tinyBudget() {
            assertThat(TilePlan.of(1, 4, 10, 10)).isEqualTo(new TilePlan(1, 1));
            assertThat(TilePlan.of(8, 4, 10, 10)).isEqualTo(new TilePlan(1, 1));
        }

        @Test
        @DisplayName("float64 halves the logits per tile")
        void doublePrecision() {
            TilePlan single = TilePlan.of(1 << 20, 4, 4096, 50000);
            TilePlan dbl = TilePlan.of(1 << 20, 8, 4096, 50000);
            assertThat((long) dbl.tokens() * dbl.vocabulary() * 8 * 2).isLessThanOrEqualTo(1 << 20);
            assertThat((long) single.tokens() * single.vocabulary() * 4 * 2).isLessThanOrEqualTo(1 << 20);
        }
    }
}
