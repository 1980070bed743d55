package io.dpo4j.core.data;

import java.util.List;
import java.util.Objects;

/**
 * A prompt or a response: plain text, or a conversation that the model's chat template turns into
 * text at tokenisation time.
 */
public sealed interface Content permits Content.Text, Content.Conversation {

    /** True for a conversation (needs a chat template). */
    default boolean isConversation() {
        return this instanceof Conversation;
    }

    /** Plain text, used as it is. */
    static Text text(String text) {
        return new Text(text);
    }

    /** A conversation of the given messages. */
    static Conversation conversation(List<Message> messages) {
        return new Conversation(messages);
    }

    /**
     * Plain text.
     *
     * @param text the text, not empty
     */
    record Text(String text) implements Content {
        public Text {
            Objects.requireNonNull(text, "text");
            if (text.isEmpty()) {
                throw new IllegalArgumentException("text must not be empty");
            }
        }
    }

    /**
     * A list of messages.
     *
     * @param messages at least one message (unmodifiable copy)
     */
    record Conversation(List<Message> messages) implements Content {
        public Conversation {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw new IllegalArgumentException("a conversation needs at least one message");
            }
        }
    }
}
