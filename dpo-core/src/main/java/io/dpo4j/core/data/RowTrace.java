package io.dpo4j.core.data;

import java.util.List;

/**
 * What tokenisation did to one example, for {@code dpo data inspect}: the texts the model sees
 * (rendered by the chat template for conversations), their ids before truncation, and the outcome.
 *
 * @param id the example's id
 * @param source its file and line
 * @param promptText the prompt's text (special tokens written as text)
 * @param responseTexts the responses' texts: chosen then rejected, or the completion
 * @param promptIds the prompt's ids before truncation (empty when the row failed before encoding)
 * @param responseIds each response's ids before truncation, EOS included
 * @param joinedDiffers per response: whether encoding prompt + response as one text gives other ids
 * @param kept the tokenised example, or null when it was dropped
 * @param dropped why it was dropped, or null
 * @param message the drop's explanation, or null
 */
public record RowTrace(String id, String source, String promptText, List<String> responseTexts, TokenIds promptIds,
        List<TokenIds> responseIds, List<Boolean> joinedDiffers, TokenizedExample kept, DropReason dropped,
        String message) {

    /** Copies the lists. */
    public RowTrace {
        responseTexts = List.copyOf(responseTexts);
        responseIds = List.copyOf(responseIds);
        joinedDiffers = List.copyOf(joinedDiffers);
    }
}
