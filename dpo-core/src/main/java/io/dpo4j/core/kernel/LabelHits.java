package io.dpo4j.core.kernel;

import java.util.Arrays;

/**
 * The response tokens of one tile whose label falls inside the tile's vocabulary slice: where the
 * tile holds {@code z[i, label_i]} (forward) and where {@code onehot(label)} is subtracted (backward).
 *
 * @param tokens indices into the N response tokens
 * @param rows the same tokens as rows of the tile
 * @param columns their labels as columns of the tile
 */
record LabelHits(long[] tokens, long[] rows, long[] columns) {

    static LabelHits of(long[] labels, int tokenStart, int tokenEnd, int vocabularyStart, int vocabularyEnd) {
        long[] tokens = new long[tokenEnd - tokenStart];
        long[] rows = new long[tokens.length];
        long[] columns = new long[tokens.length];
        int k = 0;
        for (int i = tokenStart; i < tokenEnd; i++) {
            long label = labels[i];
            if (label >= vocabularyStart && label < vocabularyEnd) {
                tokens[k] = i;
                rows[k] = i - tokenStart;
                columns[k] = label - vocabularyStart;
                k++;
            }
        }
        return new LabelHits(Arrays.copyOf(tokens, k), Arrays.copyOf(rows, k), Arrays.copyOf(columns, k));
    }

    boolean isEmpty() {
        return tokens.length == 0;
    }
}
