package io.dpo4j.core.scoring;

import java.util.Arrays;

/**
 * A prompt and a response as token ids, under the project's token convention: prompt and response are
 * tokenised separately, the response gets the EOS id appended, the model reads prompt + response, and
 * response token t is scored by the logits at the position before it.
 *
 * @param promptIds the prompt's tokens (at least one: the first response token needs a position before it)
 * @param responseIds the response's tokens, EOS included
 */
public record ResponseSequence(long[] promptIds, long[] responseIds) {

    /** Checks there is something to condition on and something to score. */
    public ResponseSequence {
        if (promptIds.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens, so the first response token has no "
                    + "position to be scored from");
        }
        if (responseIds.length == 0) {
            throw new IllegalArgumentException("the response has no tokens");
        }
    }

    /** Joins a tokenised response and the EOS id. */
    public static ResponseSequence of(long[] promptIds, long[] responseIdsWithoutEos, long eosId) {
        long[] response = Arrays.copyOf(responseIdsWithoutEos, responseIdsWithoutEos.length + 1);
        response[responseIdsWithoutEos.length] = eosId;
        return new ResponseSequence(promptIds, response);
    }

    /** Prompt plus response length. */
    public int length() {
        return promptIds.length + responseIds.length;
    }

    /** The token at a position of prompt + response. */
    public long tokenAt(int position) {
        return position < promptIds.length ? promptIds[position] : responseIds[position - promptIds.length];
    }
}
