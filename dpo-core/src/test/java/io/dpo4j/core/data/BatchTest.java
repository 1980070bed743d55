package io.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Batches: padded rows with labels shifted by one and a response mask that lines up with them")
class BatchTest {

    private static final int PAD = 0;
    private static final int EOS = 1;

    private static TokenizedPair pair(String id, int[] prompt, int[] chosen, int[] rejected) {
        return new TokenizedPair(id, "t:1", TokenIds.of(prompt), TokenIds.of(chosen), TokenIds.of(rejected), false);
    }

    private static TokenizedUnpaired example(String id, int[] prompt, int[] completion, boolean desirable) {
        return new TokenizedUnpaired(id, "t:1", TokenIds.of(prompt), TokenIds.of(completion), desirable, false);
    }

    private static int[] ints(int... v) {
        return v;
    }

    @Nested
    @DisplayName("PairBatch")
    class Pairs {

        // Pair a: prompt [10 11], chosen [20 21 EOS], rejected [30 EOS]; pair b: prompt [12], chosen [22 EOS], rejected [31 32 EOS].
        private final PairBatch batch = PairBatch.of(List.of(
                pair("a", ints(10, 11), ints(20, 21, EOS), ints(30, EOS)),
                pair("b", ints(12), ints(22, EOS), ints(31, 32, EOS))), PAD);

        @Test
        @DisplayName("puts the chosen rows first and the rejected rows after, right-padded to the longest row")
        void layout() {
            PaddedSequences s = batch.sequences();
            assertThat(batch.pairs()).isEqualTo(2);
            assertThat(batch.ids()).containsExactly("a", "b");
            assertThat(batch.chosenRow(1)).isEqualTo(1);
            assertThat(batch.rejectedRow(0)).isEqualTo(2);
            assertThat(s.inputIds()).isDeepEqualTo(new int[][] {
                {10, 11, 20, 21, EOS},
                {12, 22, EOS, PAD, PAD},
                {10, 11, 30, EOS, PAD},
                {12, 31, 32, EOS, PAD}});
            assertThat(s.attentionMask()).isDeepEqualTo(new int[][] {
                {1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}, {1, 1, 1, 1, 0}, {1, 1, 1, 1, 0}});
        }

        @Test
        @DisplayName("labels[r][t] is the token at t+1, the pad id past the row's end")
        void labels() {
            assertThat(batch.sequences().labels()).isDeepEqualTo(new int[][] {
                {11, 20, 21, EOS, PAD},
                {22, EOS, PAD, PAD, PAD},
                {11, 30, EOS, PAD, PAD},
                {31, 32, EOS, PAD, PAD}});
        }

        @Test
        @DisplayName("the response mask is 1 exactly where t+1 is a response position, so masked labels are the response tokens in order")
        void responseMask() {
            PaddedSequences s = batch.sequences();
            assertThat(s.responseMask()).isDeepEqualTo(new int[][] {
                {0, 1, 1, 1, 0},
                {1, 1, 0, 0, 0},
                {0, 1, 1, 0, 0},
                {1, 1, 1, 0, 0}});
            int[][] expectedResponses = {{20, 21, EOS}, {22, EOS}, {30, EOS}, {31, 32, EOS}};
            for (int r = 0; r < s.rows(); r++) {
                int[] masked = new int[s.responseTokens(r)];
                int k = 0;
                for (int t = 0; t < s.width(); t++) {
                    if (s.predictsResponse(r, t)) {
                        masked[k++] = s.label(r, t);
                    }
                }
                assertThat(k).isEqualTo(s.responseTokens(r));
                assertThat(masked).containsExactly(expectedResponses[r]);
            }
        }

        @Test
        @DisplayName("turns into NDArrays: int64 ids and labels N×T, masks of the chosen type, float32 response counts")
        void ndArrays() {
            try (NDManager manager = NDManager.newBaseManager("PyTorch"); BatchArrays a = batch.toArrays(manager)) {
                assertThat(a.inputIds().getShape()).isEqualTo(new Shape(4, 5));
                assertThat(a.inputIds().getDataType()).isEqualTo(DataType.INT64);
                assertThat(a.labels().getDataType()).isEqualTo(DataType.INT64);
                assertThat(a.inputIds().toLongArray()).containsExactly(10, 11, 20, 21, EOS, 12, 22, EOS, PAD, PAD,
                        10, 11, 30, EOS, PAD, 12, 31, 32, EOS, PAD);
                assertThat(a.labels().toLongArray()).startsWith(11, 20, 21, EOS, PAD);
                assertThat(a.responseMask().getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(a.responseMask().toFloatArray()).startsWith(0f, 1f, 1f, 1f, 0f, 1f, 1f, 0f, 0f, 0f);
                assertThat(a.attentionMask().toFloatArray()).startsWith(1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 0f, 0f);
                assertThat(a.responseTokens().toFloatArray()).containsExactly(3f, 2f, 2f, 3f);
                assertThat(a.responseMask().sum(new int[] {1}).toFloatArray()).containsExactly(3f, 2f, 2f, 3f);
            }
            try (NDManager manager = NDManager.newBaseManager("PyTorch");
                    BatchArrays a = batch.toArrays(manager, DataType.INT64)) {
                assertThat(a.responseMask().getDataType()).isEqualTo(DataType.INT64);
                assertThat(a.attentionMask().toLongArray()).startsWith(1, 1, 1, 1, 1, 1, 1, 1, 0, 0);
            }
        }

        @Test
        @DisplayName("refuses bfloat16 masks (creating one aborts the JVM on this CPU) with a plain exception")
        void noBfloat16() {
            try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
                assertThatThrownBy(() -> batch.toArrays(manager, DataType.BFLOAT16))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not bfloat16");
            }
        }
    }

    @Nested
    @DisplayName("UnpairedBatch")
    class Unpaired {

        @Test
        @DisplayName("has one row per example and mismatched rows pairing the prompt of k with the completion of k+1, cyclically")
        void mismatched() {
            UnpairedBatch b = UnpairedBatch.of(List.of(
                    example("x", ints(10), ints(20, EOS), true),
                    example("y", ints(11, 12), ints(21, 22, EOS), false),
                    example("z", ints(13), ints(23, EOS), true)), PAD, true, 100);
            assertThat(b.examples()).isEqualTo(3);
            assertThat(b.desirable(1)).isFalse();
            assertThat(b.sequences().inputIds()).isDeepEqualTo(new int[][] {
                {10, 20, EOS, PAD, PAD}, {11, 12, 21, 22, EOS}, {13, 23, EOS, PAD, PAD}});
            PaddedSequences m = b.mismatched().orElseThrow();
            assertThat(m.inputIds()).isDeepEqualTo(new int[][] {
                {10, 21, 22, EOS}, {11, 12, 23, EOS}, {13, 20, EOS, PAD}});
            assertThat(m.promptLength(1)).isEqualTo(2);
            assertThat(m.responseTokens(0)).isEqualTo(3);
            try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
                assertThat(b.desirableArray(manager).toFloatArray()).containsExactly(1f, 0f, 1f);
                assertThat(b.mismatchedArrays(manager)).get().satisfies(a -> assertThat(a.inputIds().getShape()).isEqualTo(new Shape(3, 4)));
            }
        }

        @Test
        @DisplayName("cuts a borrowed completion to fit max_length after its new prompt, keeping at least one token")
        void mismatchedFitsMaxLength() {
            UnpairedBatch b = UnpairedBatch.of(List.of(
                    example("long-prompt", ints(10, 11, 12), ints(20, EOS), true),
                    example("long-answer", ints(13), ints(21, 22, 23, EOS), false)), PAD, true, 5);
            PaddedSequences m = b.mismatched().orElseThrow();
            assertThat(m.length(0)).isEqualTo(5);
            assertThat(m.inputIds()[0]).containsExactly(10, 11, 12, 21, 22);
        }

        @Test
        @DisplayName("a batch of one has no mismatched pair, and none are built unless asked for")
        void single() {
            assertThat(UnpairedBatch.of(List.of(example("x", ints(10), ints(20, EOS), true)), PAD, true, 100).mismatched()).isEmpty();
            assertThat(UnpairedBatch.of(List.of(example("x", ints(10), ints(20, EOS), true),
                    example("y", ints(11), ints(21, EOS), false)), PAD, false, 100).mismatched()).isEmpty();
        }
    }
}
