package io.dpo4j.core.data;

import io.dpo4j.api.DataLayout;
import java.util.List;
import java.util.Objects;

/**
 * A prompt with a preferred ({@code chosen}) and a dispreferred ({@code rejected}) response. The
 * prompt and both responses are all plain text or all conversations.
 *
 * @param id the row's id
 * @param source {@code file:line} of the row
 * @param prompt the prompt
 * @param chosen the preferred response
 * @param rejected the dispreferred response
 */
public record PairedExample(String id, String source, Content prompt, Content chosen, Content rejected)
        implements PreferenceExample {

    public PairedExample {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(rejected, "rejected");
        if (chosen.isConversation() != prompt.isConversation() || rejected.isConversation() != prompt.isConversation()) {
            throw new IllegalArgumentException("prompt, chosen and rejected must all be text or all conversations");
        }
    }

    @Override
    public DataLayout layout() {
        return DataLayout.PAIRED;
    }

    /**
     * The two unpaired examples this pair stands for, as KTO reads paired data: the chosen response
     * desirable (id {@code <id>#chosen}), the rejected one undesirable ({@code <id>#rejected}).
     */
    public List<UnpairedExample> unpair() {
        return List.of(new UnpairedExample(id + "#chosen", source, prompt, chosen, true),
                new UnpairedExample(id + "#rejected", source, prompt, rejected, false));
    }
}
