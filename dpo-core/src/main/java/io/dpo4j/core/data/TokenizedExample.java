package io.dpo4j.core.data;

/** A tokenised example: a {@link TokenizedPair} or a {@link TokenizedUnpaired}. */
public sealed interface TokenizedExample permits TokenizedPair, TokenizedUnpaired {

    /** The example's id. */
    String id();

    /** {@code file:line} of the row it came from. */
    String source();

    /** The prompt's ids (at least one). */
    TokenIds prompt();

    /** True when a limit cut the prompt or a response. */
    boolean truncated();
}
