package io.dpo4j.core.kernel;

/**
 * How {@link ChunkedLogProbKernel} cuts the logits of N response tokens × V vocabulary entries into
 * tiles of {@code tokens × vocabulary}: at most two tiles (the logits and their exponentials) are
 * alive at a time, so a tile holds {@code budget / (2 · element size)} logits. Tiles are as square as
 * the shape allows, so neither the W rows nor the H rows of a tile are re-read more than needed.
 *
 * @param tokens response tokens per tile (≥ 1, ≤ N)
 * @param vocabulary vocabulary rows per tile (≥ 1, ≤ V)
 */
record TilePlan(int tokens, int vocabulary) {

    static TilePlan of(long budgetBytes, int elementBytes, int responseTokens, int vocabularySize) {
        long tileElements = Math.max(1, budgetBytes / (2L * elementBytes));
        int side = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (long) Math.sqrt((double) tileElements)));
        int tokens = Math.max(1, Math.min(responseTokens, side));
        long vocabulary = Math.max(1, tileElements / tokens);
        return new TilePlan(tokens, (int) Math.min(vocabularySize, vocabulary));
    }
}
