package io.dpo4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.dpo4j.api.DataLayout;
import io.dpo4j.core.data.PaddedSequences;
import io.dpo4j.core.data.TokenIds;
import io.dpo4j.core.data.TokenizedPair;
import io.dpo4j.core.data.TokenizedUnpaired;
import io.dpo4j.core.data.UnpairedBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One batch of either layout as the step sees it: the scored rows (paired: every chosen response,
 * then every rejected one, as {@link io.dpo4j.core.data.PairBatch}; unpaired: one row per example),
 * the examples' labels, and for KTO the mismatched (prompt, completion) rows of its KL reference point.
 */
final class StepBatch {

    private final DataLayout layout;
    private final List<String> ids;
    private final List<TokenIds> prompts;
    private final List<TokenIds> responses;
    private final float[] desirable;
    private final PaddedSequences mismatched;

    private StepBatch(DataLayout layout, List<String> ids, List<TokenIds> prompts, List<TokenIds> responses,
            float[] desirable, PaddedSequences mismatched) {
        this.layout = layout;
        this.ids = ids;
        this.prompts = prompts;
        this.responses = responses;
        this.desirable = desirable;
        this.mismatched = mismatched;
    }

    static StepBatch paired(List<TokenizedPair> pairs) {
        List<TokenIds> p = new ArrayList<>(2 * pairs.size());
        List<TokenIds> r = new ArrayList<>(2 * pairs.size());
        for (TokenizedPair x : pairs) {
            p.add(x.prompt());
            r.add(x.chosen());
        }
        for (TokenizedPair x : pairs) {
            p.add(x.prompt());
            r.add(x.rejected());
        }
        return new StepBatch(DataLayout.PAIRED, pairs.stream().map(TokenizedPair::id).toList(), p, r, null, null);
    }

    /**
     * Unpaired examples; with {@code mismatchedPairs} (and two or more examples) also the KL rows:
     * each prompt with the next example's completion, cut to {@code maxLength}.
     */
    static StepBatch unpaired(List<TokenizedUnpaired> examples, int pad, boolean mismatchedPairs, int maxLength) {
        float[] d = new float[examples.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = examples.get(i).desirable() ? 1f : 0f;
        }
        PaddedSequences kl = mismatchedPairs
                ? UnpairedBatch.of(examples, pad, true, maxLength).mismatched().orElse(null) : null;
        return new StepBatch(DataLayout.UNPAIRED, examples.stream().map(TokenizedUnpaired::id).toList(),
                examples.stream().map(TokenizedUnpaired::prompt).toList(),
                examples.stream().map(TokenizedUnpaired::completion).toList(), d, kl);
    }

    DataLayout layout() {
        return layout;
    }

    List<String> ids() {
        return ids;
    }

    /** Examples: pairs or unpaired examples. */
    int examples() {
        return layout == DataLayout.PAIRED ? prompts.size() / 2 : prompts.size();
    }

    /** The prompts of the scored rows. */
    List<TokenIds> prompts() {
        return prompts;
    }

    /** The responses of the scored rows. */
    List<TokenIds> responses() {
        return responses;
    }

    /** The scored rows, padded. */
    PaddedSequences padded(int pad) {
        return PaddedSequences.of(prompts, responses, pad);
    }

    Optional<PaddedSequences> mismatched() {
        return Optional.ofNullable(mismatched);
    }

    NDArray desirable(NDManager manager, DataType type) {
        return manager.create(desirable).toType(type, false);
    }
}
