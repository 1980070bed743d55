package io.dpo4j.core.data;

import java.util.Objects;

/**
 * A pair as token ids. Each response ends with the EOS id unless truncation cut it off.
 *
 * @param id the example's id
 * @param source {@code file:line} of the row
 * @param prompt at least one id
 * @param chosen at least one id
 * @param rejected at least one id
 * @param truncated true when a limit cut the prompt or a response
 */
public record TokenizedPair(String id, String source, TokenIds prompt, TokenIds chosen, TokenIds rejected,
        boolean truncated) implements TokenizedExample {

    public TokenizedPair {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        if (prompt.isEmpty() || chosen.isEmpty() || rejected.isEmpty()) {
            throw new IllegalArgumentException(id + ": prompt and responses need at least one token each");
        }
    }

    /** Prompt plus the longer response. */
    public int length() {
        return prompt.length() + Math.max(chosen.length(), rejected.length());
    }
}
