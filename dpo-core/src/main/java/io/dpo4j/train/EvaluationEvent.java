package io.dpo4j.train;

import java.util.List;
import java.util.Map;

/**
 * One held-out evaluation.
 *
 * @param step the step it follows (0: before training)
 * @param metrics {@code eval/…} metrics: the objective's on the validation examples, and of the samples
 *     ({@code eval/sample_length}, {@code eval/sample_eos_rate}, {@code eval/sample_reward})
 * @param samples the sampled responses
 */
public record EvaluationEvent(long step, Map<String, Double> metrics, List<Sample> samples) {

    /**
     * One sampled response.
     *
     * @param promptIds the prompt's token ids
     * @param prompt the prompt's text (null unless a reward scores the samples)
     * @param completion the decoded response (EOS excluded)
     * @param completionIds the sampled ids (EOS included when it ended the response)
     * @param policyLogp the policy's summed log-prob of {@code completionIds} (null for an empty response)
     */
    public record Sample(int[] promptIds, String prompt, String completion, long[] completionIds, Double policyLogp) {
    }
}
