package io.dpo4j.core.data;

import java.util.Objects;
import java.util.Set;

/**
 * One turn of a conversation, as Hugging Face chat templates see it: {@code {"role": ..., "content": ...}}.
 *
 * @param role one of {@link #ROLES}
 * @param content the text of the turn (may be empty, e.g. an empty system prompt)
 */
public record Message(String role, String content) {

    /** The roles a message may have; anything else in a data file is a bad row. */
    public static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    public Message {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("unknown role '" + role + "'; known roles: " + String.join(", ", ROLES));
        }
    }
}
