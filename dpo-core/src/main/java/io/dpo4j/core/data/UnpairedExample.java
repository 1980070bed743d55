package io.dpo4j.core.data;

import io.dpo4j.api.DataLayout;
import java.util.Objects;

/**
 * A prompt with one response labelled desirable or undesirable (KTO's data). The prompt and the
 * completion are both plain text or both conversations.
 *
 * @param id the row's id
 * @param source {@code file:line} of the row
 * @param prompt the prompt
 * @param completion the response
 * @param desirable the label
 */
public record UnpairedExample(String id, String source, Content prompt, Content completion, boolean desirable)
        implements PreferenceExample {

    public UnpairedExample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(completion, "completion");
        if (completion.isConversation() != prompt.isConversation()) {
            throw new IllegalArgumentException("prompt and completion must both be text or both conversations");
        }
    }

    @Override
    public DataLayout layout() {
        return DataLayout.UNPAIRED;
    }
}
