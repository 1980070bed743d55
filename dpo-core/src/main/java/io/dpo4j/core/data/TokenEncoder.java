package io.dpo4j.core.data;

/**
 * Text to token ids, as the data pipeline needs it. The model's Hugging Face tokenizer is adapted
 * to this; tests use a word-level one. The pipeline tokenises prompt and response separately and
 * appends {@link #eosTokenId()} to each response.
 */
public interface TokenEncoder {

    /**
     * The ids of a text, without any special token added (a chat template writes its own).
     *
     * @return the ids, possibly none; each in {@code [0, vocabularySize())}
     */
    int[] encode(String text);

    /** The end-of-sequence id appended to every response. */
    int eosTokenId();

    /** The number of ids; every id is below it. */
    int vocabularySize();
}
