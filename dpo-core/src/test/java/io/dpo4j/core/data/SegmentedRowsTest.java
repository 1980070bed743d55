package io.dpo4j.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SegmentedRows: shared prompts and packed rows, laid out by hand")
class SegmentedRowsTest {

    private static final TokenIds P = TokenIds.of(10, 11);
    private static final TokenIds Q = TokenIds.of(12, 13, 14);

    private static int[] row(SegmentedRows rows, int r, java.util.function.IntBinaryOperator cell) {
        int[] out = new int[rows.width()];
        for (int t = 0; t < out.length; t++) {
            out[t] = cell.applyAsInt(r, t);
        }
        return out;
    }

    @Test
    @DisplayName("a shared pair: [prompt, chosen, rejected], positions continuing from the prompt, both first tokens from its last position")
    void sharedPair() {
        SegmentedRows rows = SegmentedRows.of(List.of(P, P), List.of(TokenIds.of(20, 21, 1), TokenIds.of(30, 1)), 0,
                true, 0);
        assertThat(rows.rows()).isEqualTo(1);
        assertThat(rows.width()).isEqualTo(7);
        assertThat(row(rows, 0, rows::token)).containsExactly(10, 11, 20, 21, 1, 30, 1);
        assertThat(row(rows, 0, rows::position)).containsExactly(0, 1, 2, 3, 4, 2, 3);
        assertThat(row(rows, 0, rows::branch)).containsExactly(0, 0, 1, 1, 1, 2, 2);
        assertThat(row(rows, 0, rows::segment)).containsExactly(0, 0, 0, 0, 0, 0, 0);
        assertThat(rows.predictingPositions(0)).containsExactly(1, 2, 3);
        assertThat(rows.predictingPositions(1)).containsExactly(1, 5);
        assertThat(rows.responseIds(1)).isEqualTo(TokenIds.of(30, 1));
        assertThat(rows.realTokens()).isEqualTo(7);
        assertThat(rows.longestResponse()).isEqualTo(3);
    }

    @Test
    @DisplayName("packing: first-fit decreasing into rows of the longest sequence, positions restarted, the tail padded")
    void packed() {
        // lengths 5, 3, 4, 2: capacity 5 -> rows {0}, {2}, {1, 3}
        SegmentedRows rows = SegmentedRows.of(List.of(Q, P, Q, TokenIds.of(15)),
                List.of(TokenIds.of(1, 2), TokenIds.of(3), TokenIds.of(4), TokenIds.of(9)), 0, false, 1);
        assertThat(rows.rows()).isEqualTo(3);
        assertThat(rows.width()).isEqualTo(5);
        assertThat(row(rows, 2, rows::token)).containsExactly(10, 11, 3, 15, 9);
        assertThat(row(rows, 2, rows::position)).containsExactly(0, 1, 2, 0, 1);
        assertThat(row(rows, 2, rows::segment)).containsExactly(0, 0, 0, 1, 1);
        assertThat(rows.predictingPositions(3)).containsExactly(2 * 5 + 3);
        assertThat(rows.sequences()).isEqualTo(4);
        assertThat(row(rows, 1, rows::token)).containsExactly(12, 13, 14, 4, 0);
        assertThat(row(rows, 1, rows::segment)).containsExactly(0, 0, 0, 0, -1);
        assertThat(row(rows, 0, rows::position)).containsExactly(0, 1, 2, 3, 4);
        assertThat(rows.realTokens()).isEqualTo(14);
    }

    @Test
    @DisplayName("packing with shared prompts: segments side by side, each with its own positions and branches")
    void sharedAndPacked() {
        SegmentedRows rows = SegmentedRows.of(List.of(P, Q, P, Q),
                List.of(TokenIds.of(1), TokenIds.of(2), TokenIds.of(3, 4), TokenIds.of(5)), 0, true, 100);
        assertThat(rows.rows()).isEqualTo(1);
        // segments: P with [1], [3 4] (5 tokens) first, then Q with [2], [5] (5 tokens)
        assertThat(row(rows, 0, rows::token)).containsExactly(10, 11, 1, 3, 4, 12, 13, 14, 2, 5);
        assertThat(row(rows, 0, rows::segment)).containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 1, 1);
        assertThat(row(rows, 0, rows::branch)).containsExactly(0, 0, 1, 2, 2, 0, 0, 0, 1, 2);
        assertThat(row(rows, 0, rows::position)).containsExactly(0, 1, 2, 2, 3, 0, 1, 2, 3, 3);
        assertThat(rows.predictingPositions(2)).containsExactly(1, 3);
        assertThat(rows.predictingPositions(3)).containsExactly(7);
    }

    @Test
    @DisplayName("the arrays: the gather index, labels and mask in the S×R layout")
    void arrays() {
        SegmentedRows rows = SegmentedRows.of(List.of(P, P), List.of(TokenIds.of(20, 21, 1), TokenIds.of(30, 1)), 0,
                true, 0);
        try (NDManager m = NDManager.newBaseManager(); SegmentedArrays a = rows.toArrays(m)) {
            assertThat(a.gatherIndex().toLongArray()).containsExactly(1, 2, 3, 1, 5, 0);
            assertThat(a.labels().toLongArray()).containsExactly(20, 21, 1, 30, 1, 0);
            assertThat(a.responseMask().toFloatArray()).containsExactly(1, 1, 1, 1, 1, 0);
            assertThat(a.responseTokens().toFloatArray()).containsExactly(3, 2);
            assertThat(a.positionIds().toLongArray()).containsExactly(0, 1, 2, 3, 4, 2, 3);
            float[] h = new float[7 * 2];
            for (int i = 0; i < h.length; i++) {
                h[i] = i;
            }
            assertThat(a.responseHidden(m.create(h, new ai.djl.ndarray.types.Shape(1, 7, 2))).toFloatArray())
                    .containsExactly(2, 3, 4, 5, 6, 7, 2, 3, 10, 11, 0, 1);
        }
    }

    @Test
    @DisplayName("empty prompts or responses and mismatched lists are refused")
    void refused() {
        assertThatThrownBy(() -> SegmentedRows.of(List.of(TokenIds.of()), List.of(TokenIds.of(1)), 0, true, 0))
                .hasMessageContaining("prompt");
        assertThatThrownBy(() -> SegmentedRows.of(List.of(P), List.of(TokenIds.of()), 0, true, 0))
                .hasMessageContaining("response");
        assertThatThrownBy(() -> SegmentedRows.of(List.of(P), List.of(), 0, true, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
