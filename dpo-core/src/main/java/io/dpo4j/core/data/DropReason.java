package io.dpo4j.core.data;

/** Why an example was left out at tokenisation. */
public enum DropReason {
    /** Policy {@code drop}: the prompt is over {@code max_prompt_length}. */
    OVER_MAX_PROMPT_LENGTH("prompt over max_prompt_length"),
    /** Policy {@code drop}: a response is over {@code max_response_length}. */
    OVER_MAX_RESPONSE_LENGTH("response over max_response_length"),
    /** Policy {@code drop}: prompt plus longer response is over {@code max_length}. */
    OVER_MAX_LENGTH("over max_length"),
    /** Policy {@code truncate}: even one prompt token and one response token exceed {@code max_length}. */
    CANNOT_FIT("cannot fit max_length"),
    /** Under {@code on_bad_row: skip}: the prompt encodes to no token. */
    EMPTY_PROMPT("prompt has no tokens"),
    /** Under {@code on_bad_row: skip}: the chat template's {@code raise_exception} rejected the conversation. */
    REJECTED_BY_TEMPLATE("rejected by the chat template"),
    /** Under {@code on_bad_row: skip}: a text holds a lone UTF-16 surrogate, which no tokenizer can encode. */
    LONE_SURROGATE("lone surrogate in a text");

    private final String description;

    DropReason(String description) {
        this.description = description;
    }

    /** A few words for summaries. */
    public String description() {
        return description;
    }
}
