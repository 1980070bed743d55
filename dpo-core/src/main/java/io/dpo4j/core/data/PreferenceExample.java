package io.dpo4j.core.data;

import io.dpo4j.api.DataLayout;

/** One usable row of preference data: a {@link PairedExample} or an {@link UnpairedExample}. */
public sealed interface PreferenceExample permits PairedExample, UnpairedExample {

    /** The row's {@code id} field, or {@code file:line} ({@code file[index]} in a JSON array). */
    String id();

    /** Where the row came from, {@code file:line}: for messages about this example. */
    String source();

    /** The prompt both responses answer. */
    Content prompt();

    /** Paired or unpaired. */
    DataLayout layout();

    /** True when the prompt (and so every response) is a conversation. */
    default boolean isConversation() {
        return prompt().isConversation();
    }
}
