package io.dpo4j.train;

import io.dpo4j.core.data.TokenIds;
import java.nio.file.Path;
import java.util.List;

/**
 * What a run's reference stage computes, worked out without loading any model: the distinct
 * (prompt, response) sequences that training and evaluation will look up, the reference model that
 * scores them, and the cache file {@link PreferenceTraining#fit()} reads — so that another engine
 * (the Spark job of {@code dpo-spark}) can score them elsewhere and write the very file the run then
 * reuses. The values are {@link io.dpo4j.core.train.SequenceScorer}'s summed response log-probs.
 *
 * @param referenceFolder the reference model (Hugging Face layout)
 * @param adapterFolder a PEFT adapter applied to it, or null
 * @param cacheFile the cache file of the run ({@code CACHE/reference-KEY.bin}); null without a cache directory
 * @param cacheKey the key that names the file: over the reference's, the data's and the tokenisation's
 *     fingerprints; null without a cache directory
 * @param prompts the prompt of each distinct sequence, in the order the reference pass scores them
 * @param responses the response of each distinct sequence
 * @param padId the padding token id
 * @param batchRows the rows of one reference batch
 */
public record ReferencePlan(Path referenceFolder, Path adapterFolder, Path cacheFile, String cacheKey,
        List<TokenIds> prompts, List<TokenIds> responses, int padId, int batchRows) {

    /** Copies the lists. */
    public ReferencePlan {
        prompts = List.copyOf(prompts);
        responses = List.copyOf(responses);
        if (prompts.size() != responses.size()) {
            throw new IllegalArgumentException("prompts and responses differ in number");
        }
    }

    /** Number of distinct sequences to score. */
    public int size() {
        return prompts.size();
    }
}
