package io.dpo4j.core.generation;

import java.util.List;

/**
 * What generation produced for each prompt, in prompt order.
 *
 * @param tokens the new tokens of each prompt (ending with the EOS token when it stopped there)
 * @param finishReasons why each prompt's generation stopped
 */
public record GenerationResult(List<long[]> tokens, List<FinishReason> finishReasons) {

    /** Why a row stopped. */
    public enum FinishReason {
        /** It produced an end-of-sequence token. */
        EOS,
        /** It reached the maximum number of new tokens. */
        LENGTH
    }
}
