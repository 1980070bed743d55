package io.dpo4j.core.data;

import java.util.Objects;

/**
 * An unpaired example as token ids. The completion ends with the EOS id unless truncation cut it off.
 *
 * @param id the example's id
 * @param source {@code file:line} of the row
 * @param prompt at least one id
 * @param completion at least one id
 * @param desirable the label
 * @param truncated true when a limit cut the prompt or the completion
 */
public record TokenizedUnpaired(String id, String source, TokenIds prompt, TokenIds completion, boolean desirable,
        boolean truncated) implements TokenizedExample {

    public TokenizedUnpaired {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        if (prompt.isEmpty() || completion.isEmpty()) {
            throw new IllegalArgumentException(id + ": prompt and completion need at least one token each");
        }
    }

    /** Prompt plus completion. */
    public int length() {
        return prompt.length() + completion.length();
    }
}
