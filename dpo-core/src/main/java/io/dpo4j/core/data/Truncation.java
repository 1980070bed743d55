package io.dpo4j.core.data;

/**
 * The length arithmetic of truncation, on token counts only. Under {@code truncate}: the prompt is
 * cut to {@code max_prompt_length} and each response to {@code max_response_length}; if prompt plus
 * the longer response is still over {@code max_length}, the prompt is shortened from the left first
 * (down to one token), then the responses from the right (each keeps at least one token).
 */
final class Truncation {

    /**
     * The lengths to keep, or why the example is dropped.
     *
     * @param promptLength prompt tokens to keep (from the end)
     * @param responseLengths tokens to keep of each response (from the start)
     * @param dropped the reason, or null when the example is kept
     */
    record Plan(int promptLength, int[] responseLengths, DropReason dropped) {
    }

    private Truncation() {
    }

    static Plan plan(int promptLength, int[] responseLengths, TruncationSettings settings) {
        int longest = max(responseLengths);
        if (settings.policy() == TruncationPolicy.DROP) {
            DropReason reason = null;
            if (promptLength > settings.maxPromptLength()) {
                reason = DropReason.OVER_MAX_PROMPT_LENGTH;
            } else if (longest > settings.maxResponseLength()) {
                reason = DropReason.OVER_MAX_RESPONSE_LENGTH;
            } else if ((long) promptLength + longest > settings.maxLength()) {
                reason = DropReason.OVER_MAX_LENGTH;
            }
            return new Plan(promptLength, responseLengths.clone(), reason);
        }
        int prompt = Math.min(promptLength, settings.maxPromptLength());
        int[] responses = new int[responseLengths.length];
        for (int i = 0; i < responses.length; i++) {
            responses[i] = Math.min(responseLengths[i], settings.maxResponseLength());
        }
        longest = max(responses);
        if ((long) prompt + longest > settings.maxLength()) {
            prompt = Math.max(1, settings.maxLength() - longest);
        }
        if ((long) prompt + longest > settings.maxLength()) {
            int room = settings.maxLength() - prompt;
            if (room < 1) {
                return new Plan(prompt, responses, DropReason.CANNOT_FIT);
            }
            for (int i = 0; i < responses.length; i++) {
                responses[i] = Math.min(responses[i], room);
            }
        }
        return new Plan(prompt, responses, null);
    }

    private static int max(int[] values) {
        int m = 0;
        for (int v : values) {
            m = Math.max(m, v);
        }
        return m;
    }
}
